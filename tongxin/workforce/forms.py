from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from tongxin.helpdesk.forms import TongxinForm, estate_field
from tongxin.helpdesk.services.challenge import HONEYPOT_FIELD
from tongxin.workforce.models import Qualification, VolunteerOrg

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
