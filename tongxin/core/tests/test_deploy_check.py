import pytest
from django.core.management import call_command
from django.core.management.base import SystemCheckError

from tongxin.core.checks import keys_are_configured


def test_generated_keys_fail_the_deploy_check(settings: object) -> None:
    settings.TONGXIN_GENERATED_KEYS = ["TONGXIN_FIELD_KEYS"]
    errors = keys_are_configured(None)
    assert [e.id for e in errors] == ["tongxin.E001"]
    with pytest.raises(SystemCheckError):
        call_command("check", "--deploy", "--fail-level", "ERROR")


def test_keys_from_the_environment_pass(settings: object) -> None:
    settings.TONGXIN_GENERATED_KEYS = []
    assert keys_are_configured(None) == []
