"""`tongxin care plan-runs` builds a day's runs from the registry, idempotently."""

import io

import pytest
from django.core.management import CommandError, call_command

from tongxin.audit.models import AuditEvent
from tongxin.care.models import GreenRun, Hospital, RunPassenger

from .conftest import MONDAY, County, dialysis, resident

pytestmark = pytest.mark.django_db


def plan(*args: str) -> str:
    out = io.StringIO()
    call_command("care", "plan-runs", *args, stdout=out)
    return out.getvalue()


def test_plan_runs_for_a_date_and_township(county: County, hospital: Hospital, chief) -> None:
    dialysis(resident(county.sunny_101, "甲"), hospital, "135")
    dialysis(resident(county.river_101, "乙"), hospital, "135")

    out = plan(
        "--date", MONDAY.isoformat(), "--township", county.qinyang.name, "--user", chief.username
    )

    assert "芹阳办事处 → 县人民医院：1 人" in out
    assert list(GreenRun.objects.values_list("township__name", flat=True)) == ["芹阳办事处"]
    created = AuditEvent.objects.filter(target_type="care.greenrun", action="create").get()
    assert (created.actor, created.channel) == (chief, "cli")

    out = plan("--date", MONDAY.isoformat())  # all townships; Qinyang again changes nothing
    assert "新增 1 人，移出 0 人" in out
    assert GreenRun.objects.count() == 2 and RunPassenger.objects.count() == 2
    assert "新增 0 人" in plan("--date", MONDAY.isoformat())


def test_bad_input_is_refused(county: County) -> None:
    with pytest.raises(CommandError, match="无法识别的日期"):
        plan("--date", "08/03/2022")
    with pytest.raises(CommandError, match="找不到乡镇/街道"):
        plan("--township", "火星镇")
    with pytest.raises(CommandError, match="找不到乡镇/街道"):
        plan("--township", str(county.sunny.parent.pk))  # a community is not a township
