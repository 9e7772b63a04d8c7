"""`attempt`: a page's service call whose refusal (the app's domain error) is shown on the
form, as the pages did by hand; any other error is not the form's business."""

import pytest
from django import forms

from tongxin.web.forms import attempt


class Refused(ValueError):
    pass


class NameForm(forms.Form):
    name = forms.CharField()


def _valid_form() -> NameForm:
    form = NameForm({"name": "阳光小区"})
    assert form.is_valid()
    return form


def test_the_result_comes_back_and_the_form_stays_clean() -> None:
    form = _valid_form()

    found = attempt(form, Refused, lambda name, *, suffix: name + suffix, "阳光小区", suffix="1幢")

    assert found == "阳光小区1幢"
    assert form.is_valid() and not form.errors


def test_a_refusal_becomes_the_forms_error_above_the_fields() -> None:
    form = _valid_form()

    def refuse(name: str) -> str:
        raise Refused(f"{name} 已存在")

    assert attempt(form, Refused, refuse, "阳光小区") is None
    assert form.non_field_errors() == ["阳光小区 已存在"]
    assert not form.is_valid()


def test_another_error_is_not_caught() -> None:
    form = _valid_form()

    def broken() -> None:
        raise KeyError("name")

    with pytest.raises(KeyError):
        attempt(form, Refused, broken)
    assert not form.errors
