import zipfile
from collections.abc import Callable
from pathlib import PurePath
from typing import Any, ParamSpec, TypeVar, cast

from django import forms
from django.core.files.uploadedfile import UploadedFile
from django.utils.translation import gettext_lazy as _

from tongxin.audit.models import AuditAction

_P = ParamSpec("_P")
_T = TypeVar("_T")


def attempt(
    form: forms.BaseForm,
    refusal: type[Exception],
    call: Callable[_P, _T],
    /,
    *args: _P.args,
    **kwargs: _P.kwargs,
) -> _T | None:
    """A service call for a valid form: its result, or None when a rule refused it (`refusal`,
    the app's domain error), whose message then stands on the form above the fields."""
    try:
        return call(*args, **kwargs)
    except refusal as exc:
        form.add_error(None, str(exc))
        return None


IMPORT_SUFFIXES = {".xlsx", ".csv"}


IMPORT_KIND_LABELS = {
    "residents": _("居民名单"),
    "places": _("地点表（乡镇街道、社区/村、小区/自然村）"),
    "units": _("包干表（包干单位与地点）"),
    "staff": _("工作人员名单（账号、网格角色、包楼）"),
}


class ImportUploadForm(forms.Form):
    kind = forms.ChoiceField(label=_("导入内容"), choices=())
    file = forms.FileField(
        label=_("文件（.xlsx 或 .csv）"),
        error_messages={
            "required": _("请选择要上传的文件。"),
            "empty": _("上传的文件是空的。"),
        },
        widget=forms.ClearableFileInput(attrs={"accept": ".xlsx,.csv"}),
    )

    def __init__(self, *args: Any, kinds: list[str] | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        kinds = kinds or ["residents"]
        field = self.fields["kind"]
        assert isinstance(field, forms.ChoiceField)
        field.choices = [(k, IMPORT_KIND_LABELS[k]) for k in kinds]
        if not self.initial.get("kind") or self.initial["kind"] not in kinds:
            self.initial["kind"] = kinds[0]
        if len(kinds) == 1:
            field.widget = forms.HiddenInput()
        # A form posted without a kind (the residents-only page of before) means residents.
        if self.is_bound and not self.data.get("kind"):
            data = dict(self.data.items())
            data["kind"] = kinds[0]
            self.data = data

    def clean_file(self) -> UploadedFile:
        uploaded: UploadedFile = self.cleaned_data["file"]
        suffix = PurePath(uploaded.name or "").suffix.lower()
        if suffix == ".xls":
            raise forms.ValidationError(
                _("不支持旧版 .xls 格式，请在 Excel 中“另存为” .xlsx 后再上传。")
            )
        if suffix not in IMPORT_SUFFIXES:
            raise forms.ValidationError(_("只能上传 .xlsx 或 .csv 文件。"))
        if not uploaded.size:
            raise forms.ValidationError(_("上传的文件是空的。"))
        if suffix == ".xlsx":
            # An .xlsx is a zip archive; anything else renamed to .xlsx cannot be read.
            uploaded.seek(0)
            readable = zipfile.is_zipfile(uploaded)
            uploaded.seek(0)
            if not readable:
                raise forms.ValidationError(
                    _("无法读取该文件：它不是有效的 .xlsx 文件（可能已损坏或只是改了扩展名）。")
                )
        return uploaded


class ExportForm(forms.Form):
    FORMATS = [("xlsx", _("Excel（.xlsx）")), ("csv", _("CSV（.csv）"))]

    fmt = forms.ChoiceField(
        label=_("格式"), choices=FORMATS, initial="xlsx", widget=forms.RadioSelect
    )
    unmask = forms.BooleanField(label=_("导出完整证件号码和手机号（不打码）"), required=False)
    reason = forms.CharField(label=_("导出事由（不打码时必填）"), required=False, max_length=200)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("unmask") and len((data.get("reason") or "").strip()) < 2:
            self.add_error("reason", _("导出不打码的文件须填写事由（至少 2 个字）。"))
        return data


class DateInput(forms.DateInput):
    input_type = "date"


class AuditFilterForm(forms.Form):
    actor = forms.CharField(label=_("操作人"), required=False, max_length=150)
    action = forms.ChoiceField(label=_("动作"), required=False)
    target_type = forms.ChoiceField(label=_("对象类型"), required=False)
    date_from = forms.DateField(label=_("起始日期"), required=False, widget=DateInput)
    date_to = forms.DateField(label=_("截止日期"), required=False, widget=DateInput)

    def __init__(self, *args: Any, target_types: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        everything = ("", _("全部"))
        cast(forms.ChoiceField, self.fields["action"]).choices = [everything, *AuditAction.choices]
        cast(forms.ChoiceField, self.fields["target_type"]).choices = [everything, *target_types]
