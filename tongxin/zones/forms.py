"""Forms for the command post's zone decisions. They only collect input; services decide."""

from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from tongxin.accounts.models import Role, User
from tongxin.zones import kinds as zk


class LocalDateTimeInput(forms.DateTimeInput):
    input_type = "datetime-local"

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(format="%Y-%m-%dT%H:%M", **kwargs)


def _now_minute() -> Any:
    return timezone.localtime().replace(second=0, microsecond=0)


class DecisionForm(forms.Form):
    """When, why and who decided: common to designating, changing and lifting."""

    at = forms.DateTimeField(label=_("生效时间"), widget=LocalDateTimeInput(), initial=_now_minute)
    reason = forms.CharField(
        label=_("理由"), widget=forms.Textarea(attrs={"rows": 3}), max_length=2000
    )
    decided_by = forms.ModelChoiceField(
        label=_("决定人"),
        queryset=User.objects.none(),
        required=False,
        help_text=_("留空则为本人"),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        deciders = User.objects.filter(is_active=True).filter(role=Role.COMMAND_POST)
        self.fields["decided_by"].queryset = deciders.order_by("full_name", "username")  # type: ignore[attr-defined]


def kind_choices(edition: Any, exclude: str = "") -> list[tuple[str, str]]:
    return [(k.code, k.name) for k in zk.zone_kinds(edition) if k.code != exclude]


class DesignateForm(DecisionForm):
    kind = forms.ChoiceField(label=_("区域类型"), widget=forms.RadioSelect)
    field_order = ["kind", "at", "reason", "decided_by"]

    def __init__(self, *args: Any, edition: Any, exclude_kind: str = "", **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["kind"].choices = kind_choices(edition, exclude_kind)  # type: ignore[attr-defined]
        if exclude_kind:  # changing an existing zone
            self.fields["kind"].label = _("调整为")
            self.fields["at"].label = _("调整时间")


class LiftForm(DecisionForm):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["at"].label = _("解除时间")
        self.fields["reason"].label = _("解除理由")


class AcceptForm(forms.Form):
    reason = forms.CharField(
        label=_("理由"),
        widget=forms.Textarea(attrs={"rows": 2}),
        max_length=2000,
        required=False,
        help_text=_("留空则写明所满足的方案条件"),
    )


class DismissForm(forms.Form):
    note = forms.CharField(
        label=_("说明"), widget=forms.Textarea(attrs={"rows": 2}), max_length=2000, required=False
    )


class AreaRoundForm(forms.Form):
    completed_at = forms.DateTimeField(
        label=_("完成时间"), widget=LocalDateTimeInput(), initial=_now_minute
    )
    all_negative = forms.TypedChoiceField(
        label=_("结果"),
        choices=[("1", _("全部阴性")), ("0", _("有阳性或异常"))],
        coerce=lambda v: v == "1",
        widget=forms.RadioSelect,
    )
    reference = forms.CharField(label=_("轮次编号"), max_length=100, required=False)
