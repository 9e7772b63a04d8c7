import datetime as dt
import re
from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from tongxin.core import crypto
from tongxin.core.masking import mask_phone
from tongxin.helpdesk.models import Category, Channel, KeywordRule, Outcome, Priority
from tongxin.places.models import Place, PlaceKind
from tongxin.units.models import Unit

DATETIME_LOCAL = "%Y-%m-%dT%H:%M"


class TongxinForm(forms.Form):
    """Chinese labels take no trailing colon."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)


class EstateField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        community = getattr(obj, "parent", None)
        township = getattr(community, "parent", None) if community else None
        prefix = " ".join(p.name for p in (township, community) if p is not None)
        return f"{obj.name}（{prefix}）" if prefix else str(obj.name)


def estate_field(required: bool = False) -> EstateField:
    return EstateField(
        label=_("所在小区/村"),
        queryset=Place.objects.filter(kind=PlaceKind.ESTATE).select_related("parent__parent"),
        required=required,
        empty_label=_("—— 请选择 ——"),
    )


class SealedPhoneMixin:
    """A form shown again (an error, a duplicate warning) must not echo the phone number in
    clear: it goes back sealed (encrypted) in a hidden field and shows masked."""

    cleaned_data: dict[str, Any]
    data: Any
    is_bound: bool
    sealed_masked: str = ""

    def clean_phone(self) -> str:
        phone = str(self.cleaned_data.get("phone") or "").strip()
        if phone:
            return phone
        sealed = str(self.data.get("phone_sealed") or "")
        if sealed:
            try:
                return crypto.decrypt(sealed)
            except crypto.DecryptionError:
                pass
        raise forms.ValidationError(_("请填写联系电话"))

    def seal_phone(self) -> None:
        """Call before rendering a bound form again."""
        if not self.is_bound:
            return
        phone = (getattr(self, "cleaned_data", None) or {}).get("phone") or self.data.get("phone")
        data = self.data.copy()
        if phone:
            data["phone_sealed"] = crypto.encrypt(str(phone))
            data["phone"] = ""
            self.sealed_masked = mask_phone(re.sub(r"\D", "", str(phone)))
        self.data = data

    @property
    def phone_is_sealed(self) -> bool:
        return bool(self.is_bound and self.data.get("phone_sealed") and not self.data.get("phone"))


class WhereMixin:
    """Estate (picked) plus building/room (typed), or a typed address."""

    cleaned_data: dict[str, Any]

    def clean_where(self) -> None:
        data = self.cleaned_data
        if not data.get("estate") and not (data.get("address") or "").strip():
            raise forms.ValidationError(_("请选择所在小区/村，或填写详细地址"))


URGENCY_CHOICES = [
    (Priority.NORMAL, _("一般")),
    (Priority.HIGH, _("较急（今天内需要）")),
    (Priority.URGENT, _("紧急（危及生命健康）")),
]


class PublicRequestForm(SealedPhoneMixin, WhereMixin, TongxinForm):
    caller_name = forms.CharField(label=_("怎么称呼您"), max_length=50, required=False)
    phone = forms.CharField(
        label=_("回拨电话"),
        max_length=20,
        required=False,
        widget=forms.TextInput(attrs={"inputmode": "tel", "autocomplete": "tel"}),
        help_text=_("工作人员会打这个电话联系您，工单号也会发到这个手机上"),
    )
    estate = estate_field()
    unit_text = forms.CharField(
        label=_("楼幢、单元、房号"),
        max_length=60,
        required=False,
        widget=forms.TextInput(attrs={"placeholder": _("如：3幢2单元301")}),
    )
    address = forms.CharField(
        label=_("或：详细地址"),
        max_length=200,
        required=False,
        help_text=_("找不到小区时请直接填写地址"),
    )
    text = forms.CharField(
        label=_("需要什么帮助"),
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_("请写清楚：谁、需要什么、现在情况如何"),
    )
    category = forms.ChoiceField(
        label=_("求助类别"),
        required=False,
        choices=[("", _("不清楚/其他")), *[(c, label) for c, label in Category.choices]],
    )
    urgency = forms.ChoiceField(
        label=_("紧急程度"),
        choices=URGENCY_CHOICES,
        initial=Priority.NORMAL,
        widget=forms.RadioSelect,
    )
    answer = forms.CharField(
        label=_("验证题"), max_length=4, widget=forms.TextInput(attrs={"inputmode": "numeric"})
    )
    token = forms.CharField(widget=forms.HiddenInput)
    website = forms.CharField(
        label=_("请勿填写此项"),
        required=False,
        widget=forms.TextInput(attrs={"tabindex": "-1", "autocomplete": "off"}),
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        self.clean_where()
        return data


class StatusCheckForm(TongxinForm):
    number = forms.CharField(
        label=_("工单号"),
        max_length=24,
        widget=forms.TextInput(
            attrs={"placeholder": "QZ20220305-0001", "autocapitalize": "characters"}
        ),
    )
    last4 = forms.RegexField(
        label=_("手机号后四位"),
        regex=r"^\d{4}$",
        error_messages={"invalid": _("请输入4位数字")},
        widget=forms.TextInput(attrs={"inputmode": "numeric", "maxlength": "4"}),
    )
    website = forms.CharField(
        label=_("请勿填写此项"),
        required=False,
        widget=forms.TextInput(attrs={"tabindex": "-1", "autocomplete": "off"}),
    )

    def clean_number(self) -> str:
        return str(self.cleaned_data["number"]).strip().upper().replace(" ", "")


class HotlineForm(SealedPhoneMixin, WhereMixin, TongxinForm):
    phone = forms.CharField(
        label=_("来电号码"),
        max_length=20,
        required=False,
        widget=forms.TextInput(attrs={"inputmode": "tel", "autofocus": True}),
    )
    caller_name = forms.CharField(label=_("来电人"), max_length=50, required=False)
    person = forms.IntegerField(required=False, widget=forms.HiddenInput)
    estate = estate_field()
    unit_text = forms.CharField(
        label=_("楼幢、单元、房号"),
        max_length=60,
        required=False,
        widget=forms.TextInput(attrs={"placeholder": _("如：3幢2单元301")}),
    )
    address = forms.CharField(label=_("或：地址"), max_length=200, required=False)
    text = forms.CharField(label=_("求助内容"), widget=forms.Textarea(attrs={"rows": 4}))
    category = forms.ChoiceField(
        label=_("类别"),
        required=False,
        choices=[("", _("按关键词建议")), *Category.choices],
    )
    priority = forms.ChoiceField(
        label=_("紧急程度"),
        required=False,
        choices=[("", _("按关键词建议")), *Priority.choices],
    )
    emergency = forms.BooleanField(label=_("急危重症/临产"), required=False)
    answered = forms.BooleanField(label=_("已当场解答，直接办结"), required=False)
    resolution = forms.CharField(
        label=_("解答内容"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    duplicate_action = forms.CharField(required=False, widget=forms.HiddenInput)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if not data.get("person"):
            self.clean_where()
        if data.get("answered") and not (data.get("resolution") or "").strip():
            self.add_error("resolution", _("当场办结须填写解答内容"))
        return data


class TriageForm(TongxinForm):
    priority = forms.ChoiceField(label=_("紧急程度"), choices=Priority.choices)
    category = forms.ChoiceField(label=_("类别"), choices=Category.choices)
    emergency = forms.BooleanField(label=_("急危重症/临产"), required=False)
    note = forms.CharField(label=_("说明"), required=False, max_length=500)


class DispatchForm(TongxinForm):
    team = forms.ModelChoiceField(label=_("转办至"), queryset=Unit.objects.none())
    note = forms.CharField(
        label=_("转办说明"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args: Any, teams: list[Unit], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field: Any = self.fields["team"]
        field.queryset = Unit.objects.filter(pk__in=[t.pk for t in teams])
        field.choices = [
            ("", "——"),
            *[(t.pk, f"{t.name}（{t.get_kind_display()}）") for t in teams],
        ]


class ContactForm(TongxinForm):
    outcome = forms.ChoiceField(
        label=_("联系结果"), choices=Outcome.choices, widget=forms.RadioSelect
    )
    note = forms.CharField(
        label=_("情况说明"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )


class CloseForm(TongxinForm):
    resolution = forms.CharField(label=_("办理结果"), widget=forms.Textarea(attrs={"rows": 3}))


class FollowUpForm(TongxinForm):
    satisfied = forms.TypedChoiceField(
        label=_("求助人是否满意"),
        choices=[("1", _("满意")), ("0", _("不满意"))],
        coerce=lambda v: v == "1",
        widget=forms.RadioSelect,
    )
    wrongly_closed = forms.BooleanField(label=_("问题实际未解决（误办结）"), required=False)
    note = forms.CharField(
        label=_("回访情况"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )


class ReasonForm(TongxinForm):
    reason = forms.CharField(label=_("原因"), widget=forms.Textarea(attrs={"rows": 2}))


class NoteForm(TongxinForm):
    note = forms.CharField(label=_("备注"), widget=forms.Textarea(attrs={"rows": 2}))


class MergeForm(TongxinForm):
    into = forms.CharField(label=_("并入工单号"), max_length=24)

    def clean_into(self) -> str:
        return str(self.cleaned_data["into"]).strip().upper()


class ImportForm(TongxinForm):
    file = forms.FileField(label=_("表格文件（.xlsx 或 .csv）"))
    channel = forms.ChoiceField(
        label=_("来源"),
        choices=[
            (Channel.HOTLINE_12345, Channel.HOTLINE_12345.label),
            (Channel.UNIT, Channel.UNIT.label),
            (Channel.OTHER, Channel.OTHER.label),
        ],
    )
    source_label = forms.CharField(
        label=_("报送单位"), max_length=200, required=False, help_text=_("如：12345热线、县民政局")
    )


class KeywordRuleForm(forms.ModelForm):
    class Meta:
        model = KeywordRule
        fields = ["keyword", "synonyms", "priority", "category", "marks_emergency", "is_active"]
        widgets = {"synonyms": forms.Textarea(attrs={"rows": 4})}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)

    def clean_keyword(self) -> str:
        return str(self.cleaned_data["keyword"]).strip()


def _local_midnight(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time()))


class StatsForm(TongxinForm):
    start = forms.DateTimeField(
        label=_("自"),
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format=DATETIME_LOCAL),
        input_formats=[DATETIME_LOCAL, "%Y-%m-%d %H:%M", "%Y-%m-%d"],
    )
    end = forms.DateTimeField(
        label=_("至"),
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format=DATETIME_LOCAL),
        input_formats=[DATETIME_LOCAL, "%Y-%m-%d %H:%M", "%Y-%m-%d"],
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("start") and data.get("end") and data["end"] <= data["start"]:
            raise forms.ValidationError(_("结束时间须晚于开始时间"))
        if data.get("start") and data.get("end"):
            from tongxin.helpdesk.services.stats import WindowTooLong, check_window

            try:
                check_window(data["start"], data["end"])
            except WindowTooLong as exc:
                raise forms.ValidationError(str(exc)) from None
        return data

    @classmethod
    def default_window(cls, now: dt.datetime | None = None) -> tuple[dt.datetime, dt.datetime]:
        """The last three days, midnight to now (the report's "first 72 hours")."""
        now = now or timezone.now()
        today = timezone.localdate(now)
        return _local_midnight(today - dt.timedelta(days=2)), now
