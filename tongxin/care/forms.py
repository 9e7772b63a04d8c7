"""Forms for the registry and the green channels. They only collect input; services decide."""

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from tongxin.accounts.models import User
from tongxin.care.models import Hospital, NeedKind


class TimeInput(forms.TimeInput):
    input_type = "time"

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(format="%H:%M", **kwargs)


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(format="%Y-%m-%d", **kwargs)


WEEKDAY_CHOICES = [
    ("1", _("周一")), ("2", _("周二")), ("3", _("周三")), ("4", _("周四")),
    ("5", _("周五")), ("6", _("周六")), ("7", _("周日")),
]  # fmt: skip


class NeedForm(forms.Form):
    """One form for every kind; the fields that matter for the chosen kind are shown first and
    the services refuse what a kind lacks (a dialysis record without a schedule …)."""

    kind = forms.ChoiceField(label=_("类别"), choices=NeedKind.choices)
    hospital = forms.ModelChoiceField(
        label=_("医院"), queryset=Hospital.objects.all(), required=False,
        help_text=_("血透、孕产妇填写"),
    )  # fmt: skip
    weekdays = forms.MultipleChoiceField(
        label=_("透析日"), choices=WEEKDAY_CHOICES, required=False,
        widget=forms.CheckboxSelectMultiple,
    )  # fmt: skip
    session_time = forms.TimeField(label=_("透析时间"), required=False, widget=TimeInput())
    due_date = forms.DateField(label=_("预产期"), required=False, widget=DateInput())
    medicine = forms.CharField(label=_("药品"), max_length=200, required=False)
    frequency = forms.CharField(
        label=_("用药/取药频次"), max_length=100, required=False,
        help_text=_("如：每日两次，每周取药一次"),
    )  # fmt: skip
    details = forms.CharField(
        label=_("情况说明"), max_length=200, required=False,
        help_text=_("如：肢体二级，需轮椅；独居，子女在外地"),
    )  # fmt: skip
    notes = forms.CharField(
        label=_("备注"), required=False, widget=forms.Textarea(attrs={"rows": 3}), max_length=2000
    )

    def __init__(self, *args: Any, kind: str, **kwargs: Any) -> None:
        from tongxin.care.services.registry import KIND_FIELDS

        super().__init__(*args, **kwargs)
        # The kind is chosen before the form (a button per kind) and does not change after.
        self.fields["kind"].disabled = True
        self.fields["kind"].initial = kind
        self.fields["kind"].widget = forms.HiddenInput()
        wanted = KIND_FIELDS.get(kind, ())
        for name in [n for n in self.fields if n != "kind" and n not in wanted]:
            del self.fields[name]
        self.order_fields(["kind", *wanted])

    def values(self) -> dict[str, Any]:
        data = dict(self.cleaned_data)
        data.pop("kind", None)
        if "weekdays" in data:
            data["weekdays"] = "".join(data["weekdays"] or [])
        return data


class EndNeedForm(forms.Form):
    reason = forms.CharField(
        label=_("结束原因"), max_length=200, help_text=_("如：已分娩、已迁出、已住院")
    )


class ArrangeForm(forms.Form):
    vehicle = forms.CharField(label=_("车辆"), max_length=50, required=False,
                              help_text=_("车牌号或车辆编号"))  # fmt: skip
    driver = forms.ModelChoiceField(label=_("驾驶员"), queryset=User.objects.none(), required=False)
    escort = forms.ModelChoiceField(
        label=_("随车人员"), queryset=User.objects.none(), required=False
    )
    departs_at = forms.TimeField(label=_("出发时间"), required=False, widget=TimeInput())
    notes = forms.CharField(label=_("备注"), required=False, max_length=2000,
                            widget=forms.Textarea(attrs={"rows": 2}))  # fmt: skip

    def __init__(self, *args: Any, staff: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        people = staff if staff is not None else User.objects.none()
        for name in ("driver", "escort"):
            self.fields[name].queryset = people  # type: ignore[attr-defined]


class StopForm(forms.Form):
    name = forms.CharField(label=_("上车点"), max_length=100)
    pickup_time = forms.TimeField(label=_("上车时间"), required=False, widget=TimeInput())


class SlotForm(forms.Form):
    starts_at = forms.TimeField(label=_("开始时间"), widget=TimeInput())
    ends_at = forms.TimeField(label=_("结束时间"), widget=TimeInput())
    area = forms.CharField(label=_("区域"), max_length=100, help_text=_("如：血透绿色通道A区"))
    capacity = forms.IntegerField(label=_("容量"), min_value=1, max_value=500)


class CapacityForm(forms.Form):
    capacity = forms.IntegerField(label=_("容量"), min_value=1, max_value=500)
