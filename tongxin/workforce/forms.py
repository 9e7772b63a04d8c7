import datetime as dt
from pathlib import Path
from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from tongxin.helpdesk.forms import TongxinForm, estate_field
from tongxin.helpdesk.services.challenge import HONEYPOT_FIELD
from tongxin.places.models import Place, PlaceKind
from tongxin.workforce.models import (
    ActivityKind,
    BranchScope,
    Member,
    OrgKind,
    PartyStatus,
    Post,
    PostKind,
    Qualification,
    Team,
    TeamKind,
    VolunteerOrg,
)

VOLUNTEER_SKILLS = [
    (q, label)
    for q, label in Qualification.choices
    if q in ("registrar", "driver", "medical", "psych", "sampling", "other")
]


class VolunteerForm(TongxinForm):
    """The public registration (no login): the help form's challenge and honeypot."""

    name = forms.CharField(label=_("姓名"), max_length=50)
    document_number = forms.CharField(
        label=_("身份证号"),
        max_length=18,
        widget=forms.TextInput(attrs={"autocomplete": "off", "inputmode": "text"}),
        help_text=_("用于核验身份和确认您所在的区域，不会公开"),
    )
    phone = forms.CharField(
        label=_("手机号"),
        max_length=20,
        widget=forms.TextInput(attrs={"inputmode": "tel", "autocomplete": "tel"}),
    )
    skills = forms.MultipleChoiceField(
        label=_("能做什么"),
        choices=VOLUNTEER_SKILLS,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    skills_text = forms.CharField(label=_("其他特长"), max_length=200, required=False)
    availability = forms.CharField(
        label=_("可服务时间"),
        max_length=200,
        required=False,
        widget=forms.TextInput(attrs={"placeholder": _("如：每天 18:00 以后")}),
    )
    area = estate_field()
    organisation = forms.ModelChoiceField(
        label=_("所属志愿组织"),
        queryset=VolunteerOrg.objects.none(),
        required=False,
        empty_label=_("—— 个人报名 ——"),
    )
    token = forms.CharField(widget=forms.HiddenInput)
    answer = forms.CharField(label=_("验证题"), max_length=4)
    website = forms.CharField(label=_("网址"), required=False)

    def __init__(self, *args: Any, incident: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["area"].label = _("居住的小区/村")
        self.fields["area"].required = True
        field = self.fields["organisation"]
        field.queryset = (  # type: ignore[attr-defined]
            VolunteerOrg.objects.filter(incident=incident)
            if incident
            else VolunteerOrg.objects.none()
        )
        assert HONEYPOT_FIELD == "website"


class CheckInForm(TongxinForm):
    code = forms.CharField(
        label=_("岗位码"),
        max_length=12,
        widget=forms.TextInput(
            attrs={"autocomplete": "off", "autocapitalize": "characters", "inputmode": "text"}
        ),
        help_text=_("扫描岗位二维码或输入岗位牌上的编码"),
    )
    client_id = forms.CharField(widget=forms.HiddenInput)


# --- the command post's pages ----------------------------------------------------------------

MAX_IMPORT_BYTES = 5 * 1024 * 1024
DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
TIME = forms.TimeInput(attrs={"type": "time"}, format="%H:%M")


class TeamForm(TongxinForm):
    name = forms.CharField(label=_("队伍名称"), max_length=100)
    kind = forms.ChoiceField(label=_("类别"), choices=TeamKind.choices)
    sending_org = forms.CharField(label=_("派出单位"), max_length=100, required=False)
    leader = forms.ModelChoiceField(label=_("领队"), queryset=Member.objects.none(), required=False)
    arrived_on = forms.DateField(label=_("抵达日期"), required=False, widget=DATE)
    departs_on = forms.DateField(label=_("计划撤离日期"), required=False, widget=DATE)
    lodging = forms.CharField(label=_("住宿地点"), max_length=200, required=False)
    closed_loop = forms.BooleanField(label=_("闭环管理（集中住宿）"), required=False)
    test_every_days = forms.IntegerField(
        label=_("核酸检测频次（天）"), min_value=1, max_value=30, required=False
    )
    notes = forms.CharField(
        label=_("备注"), max_length=2000, required=False, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args: Any, team: Team | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["leader"]
        if team is None:
            del self.fields["leader"]
        else:
            field.queryset = team.members.all()  # type: ignore[attr-defined]


class MemberForm(TongxinForm):
    name = forms.CharField(label=_("姓名"), max_length=50)
    phone = forms.CharField(
        label=_("手机号"), max_length=20, widget=forms.TextInput(attrs={"inputmode": "tel"})
    )
    document_number = forms.CharField(
        label=_("身份证号"),
        max_length=18,
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
    )
    qualifications = forms.MultipleChoiceField(
        label=_("资质"),
        choices=Qualification.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    party_status = forms.ChoiceField(
        label=_("政治面貌"), choices=PartyStatus.choices, required=False
    )

    def __init__(self, *args: Any, editing: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if editing:
            # Stored phones and ID numbers are never shown in full: blank keeps them.
            self.fields["phone"].required = False
            self.fields["phone"].help_text = _("留空则不修改")
            self.fields["document_number"].help_text = _("留空则不修改")


class MemberImportForm(TongxinForm):
    file = forms.FileField(label=_("队员名单（.xlsx 或 .csv）"))

    def clean_file(self) -> Any:
        upload = self.cleaned_data["file"]
        if upload.size > MAX_IMPORT_BYTES:
            raise forms.ValidationError(
                _("文件超过 %(mb)d MB，请分批导入") % {"mb": MAX_IMPORT_BYTES // (1024 * 1024)}
            )
        suffix = Path(upload.name or "").suffix.lower()
        if suffix not in (".xlsx", ".csv"):
            raise forms.ValidationError(_("请上传 .xlsx 或 .csv 文件"))
        return upload


class PlaceChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        parent = getattr(obj, "parent", None)
        return f"{obj.name}（{parent.name}）" if parent is not None else str(obj.name)


class PostForm(TongxinForm):
    name = forms.CharField(label=_("岗位名称"), max_length=100)
    kind = forms.ChoiceField(label=_("类别"), choices=PostKind.choices)
    place = PlaceChoiceField(label=_("地点"), queryset=Place.objects.none(), required=False)
    site_name = forms.CharField(label=_("场所名称"), max_length=100, required=False)
    active = forms.BooleanField(label=_("启用"), required=False, initial=True)

    def __init__(self, *args: Any, user: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["place"].queryset = (  # type: ignore[attr-defined]
            Place.objects.visible_to(user)
            .filter(kind__in=(PlaceKind.TOWNSHIP, PlaceKind.COMMUNITY, PlaceKind.ESTATE))
            .select_related("parent")
            .order_by("path")
        )


class ShiftForm(TongxinForm):
    """A shift's hours (an end before the start is the next morning) and its demand: one
    number per qualification."""

    day = forms.DateField(label=_("日期"), widget=DATE)
    starts = forms.TimeField(label=_("开始时间"), widget=TIME)
    ends = forms.TimeField(label=_("结束时间"), widget=TIME)
    label = forms.CharField(label=_("班次名称"), max_length=40, required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for code, name in Qualification.choices:
            self.fields[f"need_{code}"] = forms.IntegerField(
                label=_("需要%(q)s人数") % {"q": name}, min_value=0, max_value=500,
                required=False,
            )  # fmt: skip

    def demand(self) -> dict[str, int]:
        return {q: self.cleaned_data.get(f"need_{q}") or 0 for q in Qualification.values}

    def demand_fields(self) -> list[Any]:
        return [self[f"need_{q}"] for q in Qualification.values]

    def times(self) -> tuple[dt.datetime, dt.datetime]:
        day = self.cleaned_data["day"]
        start = timezone.make_aware(dt.datetime.combine(day, self.cleaned_data["starts"]))
        end = timezone.make_aware(dt.datetime.combine(day, self.cleaned_data["ends"]))
        if end <= start:
            end = timezone.make_aware(
                dt.datetime.combine(day + dt.timedelta(days=1), self.cleaned_data["ends"])
            )
        return start, end


class DemandForm(ShiftForm):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name in ("day", "starts", "ends", "label"):
            del self.fields[name]


class BranchForm(TongxinForm):
    name = forms.CharField(label=_("支部名称"), max_length=100)
    scope = forms.ChoiceField(label=_("组建方式"), choices=BranchScope.choices)
    team = forms.ModelChoiceField(label=_("队伍"), queryset=Team.objects.none(), required=False)
    place = PlaceChoiceField(label=_("区域"), queryset=Place.objects.none(), required=False)
    site_name = forms.CharField(label=_("场所名称"), max_length=100, required=False)
    founded_on = forms.DateField(label=_("成立日期"), widget=DATE)

    def __init__(self, *args: Any, user: Any = None, incident: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["team"].queryset = Team.objects.visible_to(user).filter(  # type: ignore[attr-defined]
            incident=incident
        )
        self.fields["place"].queryset = PostForm(user=user).fields["place"].queryset  # type: ignore[attr-defined]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("scope") == BranchScope.TEAM and not data.get("team"):
            self.add_error("team", _("依托队伍组建的支部须选择队伍"))
        if data.get("scope") in (BranchScope.SITE, BranchScope.AREA) and not data.get("place"):
            self.add_error("place", _("依托场所或区域组建的支部须选择所在区域"))
        return data


class ActivityForm(TongxinForm):
    kind = forms.ChoiceField(label=_("类别"), choices=ActivityKind.choices)
    title = forms.CharField(label=_("内容"), max_length=200)
    at = forms.DateTimeField(
        label=_("时间"), widget=forms.DateTimeInput(attrs={"type": "datetime-local"})
    )
    note = forms.CharField(
        label=_("说明"), max_length=2000, required=False, widget=forms.Textarea(attrs={"rows": 2})
    )


class DissolveForm(TongxinForm):
    dissolved_on = forms.DateField(label=_("撤销日期"), widget=DATE)


class DemobiliseForm(TongxinForm):
    on = forms.DateField(label=_("撤离日期"), widget=DATE)


class OrganisationForm(TongxinForm):
    name = forms.CharField(label=_("组织名称"), max_length=100)
    kind = forms.ChoiceField(label=_("类别"), choices=OrgKind.choices)


class BranchPostsForm(TongxinForm):
    posts = forms.ModelMultipleChoiceField(
        label=_("负责岗位"),
        queryset=Post.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(self, *args: Any, user: Any = None, incident: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["posts"].queryset = (  # type: ignore[attr-defined]
            Post.objects.visible_to(user).filter(incident=incident, active=True).order_by("name")
        )
