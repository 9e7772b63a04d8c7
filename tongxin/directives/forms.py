from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from tongxin.accounts.models import User
from tongxin.directives.models import (
    Directive,
    DirectiveTarget,
    Priority,
    attachment_validator,
    photo_validator,
)
from tongxin.incidents.models import Incident
from tongxin.places.models import Place, PlaceKind
from tongxin.units.models import Unit

DATETIME_LOCAL = "%Y-%m-%dT%H:%M"
MAX_UPLOAD_BYTES = 20 * 1024 * 1024


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("widget", MultipleFileInput())
        super().__init__(*args, **kwargs)

    def clean(self, data: Any, initial: Any = None) -> Any:
        single = super().clean
        if isinstance(data, list | tuple):
            return [single(d, initial) for d in data if d]
        return [single(data, initial)] if data else []


def _limit_size(upload: Any) -> Any:
    if upload and upload.size > MAX_UPLOAD_BYTES:
        raise forms.ValidationError(_("文件不能超过 20 MB"))
    return upload


def photo_field() -> forms.FileField:
    return forms.FileField(
        label=_("照片"),
        required=False,
        validators=[photo_validator],
        widget=forms.ClearableFileInput(attrs={"accept": "image/*", "capture": "environment"}),
    )


class TongxinForm(forms.Form):
    """Chinese labels take no trailing colon; ids are namespaced so several forms can share a
    page (one per unit card and task)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)


class PlaceChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        parent = getattr(obj, "parent", None)
        if obj.kind == PlaceKind.BUILDING and parent is not None:
            return f"{parent.name} {obj.name}"
        return str(obj.name)


class IssueForm(TongxinForm):
    incident = forms.ModelChoiceField(label=_("响应事件"), queryset=Incident.objects.none())
    title = forms.CharField(label=_("标题"), max_length=200)
    text = forms.CharField(label=_("指令内容"), widget=forms.Textarea(attrs={"rows": 6}))
    priority = forms.ChoiceField(
        label=_("紧急程度"), choices=Priority.choices, initial=Priority.NORMAL
    )
    deadline = forms.DateTimeField(
        label=_("办结时限"),
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format=DATETIME_LOCAL),
    )
    units = forms.ModelMultipleChoiceField(
        label=_("接收单位"),
        queryset=Unit.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    zone = forms.TypedChoiceField(
        label=_("或：风险区域内全部包干单位"), required=False, coerce=int, empty_value=None
    )
    requires_text = forms.BooleanField(label=_("需文字报告"), required=False, initial=True)
    number_label = forms.CharField(
        label=_("需填报的数字"),
        max_length=60,
        required=False,
        help_text=_("如“已完成采样人数”；留空则不需要"),
    )
    requires_photo = forms.BooleanField(label=_("需上传照片"), required=False)
    attachments = MultipleFileField(
        label=_("附件"), required=False, validators=[attachment_validator, _limit_size]
    )

    def __init__(self, *args: Any, user: Any, zone_choices: list[tuple[int, str]], **kwargs: Any):
        super().__init__(*args, **kwargs)
        incidents = Incident.objects.visible_to(user).open()
        self.fields["incident"].queryset = incidents  # type: ignore[attr-defined]
        if incidents.count() == 1:
            self.fields["incident"].initial = incidents.first()
        self.fields["units"].queryset = Unit.objects.visible_to(user)  # type: ignore[attr-defined]
        if zone_choices:
            self.fields["zone"].choices = [("", "—"), *zone_choices]  # type: ignore[attr-defined]
        else:
            del self.fields["zone"]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if not data.get("units") and not data.get("zone"):
            raise forms.ValidationError(_("请选择接收单位或风险区域"))
        return data


class FeedbackForm(TongxinForm):
    text = forms.CharField(label=_("进展情况"), widget=forms.Textarea(attrs={"rows": 3}))
    number = forms.DecimalField(label=_("数字"), required=False, max_digits=14, decimal_places=2)
    photo = photo_field()

    def __init__(self, *args: Any, directive: Directive, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if directive.number_label:
            self.fields["number"].label = directive.number_label
        else:
            del self.fields["number"]


class CompleteForm(TongxinForm):
    text = forms.CharField(
        label=_("办结报告"), required=False, widget=forms.Textarea(attrs={"rows": 4})
    )
    number = forms.DecimalField(label=_("数字"), required=False, max_digits=14, decimal_places=2)
    photo = photo_field()

    def __init__(self, *args: Any, directive: Directive, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["text"].required = directive.requires_text
        if directive.number_label:
            self.fields["number"].label = directive.number_label
            self.fields["number"].required = True
        else:
            del self.fields["number"]
        if not directive.requires_photo:
            self.fields["photo"].label = _("照片（可选）")


class AssignForm(TongxinForm):
    assignee = forms.ModelChoiceField(label=_("承办人"), queryset=User.objects.none())
    place = PlaceChoiceField(label=_("负责楼幢"), queryset=Place.objects.none(), required=False)
    note = forms.CharField(
        label=_("要求"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args: Any, target: DirectiveTarget, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["assignee"].queryset = User.objects.filter(  # type: ignore[attr-defined]
            unit_id=target.unit_id, is_active=True
        ).order_by("full_name", "username")
        self.fields["place"].queryset = (  # type: ignore[attr-defined]
            Place.objects.visible_to(user)
            .filter(kind__in=[PlaceKind.ESTATE, PlaceKind.BUILDING])
            .select_related("parent")
            .order_by("path")
        )


class CompleterForm(TongxinForm):
    completer = forms.ModelChoiceField(
        label=_("指定办结人"),
        queryset=User.objects.none(),
        required=False,
        empty_label=_("—— 仅本单位负责人 ——"),
    )

    def __init__(self, *args: Any, target: DirectiveTarget, **kwargs: Any) -> None:
        kwargs.setdefault("initial", {"completer": target.completer_id})
        super().__init__(*args, **kwargs)
        self.fields["completer"].queryset = User.objects.filter(  # type: ignore[attr-defined]
            unit_id=target.unit_id, is_active=True
        ).order_by("full_name", "username")


class TaskReportForm(TongxinForm):
    text = forms.CharField(
        label=_("完成情况"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    number = forms.DecimalField(label=_("数字"), required=False, max_digits=14, decimal_places=2)
    photo = photo_field()

    def __init__(self, *args: Any, directive: Directive, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if directive.number_label:
            self.fields["number"].label = directive.number_label
        else:
            del self.fields["number"]
