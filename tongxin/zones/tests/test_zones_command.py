from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from tongxin.audit.models import AuditEvent
from tongxin.zones.models import ZoneDesignation

pytestmark = pytest.mark.django_db


def run(*args: str) -> str:
    out = StringIO()
    call_command("zones", *args, stdout=out)
    return out.getvalue()


def test_the_command_line_designates_and_answers_the_3am_question(town, incident, chief) -> None:
    run(
        "designate", "--place", str(town.b1.pk), "--kind", "sealed", "--reason", "楼内发现阳性",
        "--at", "2022-03-07T02:30", "--user", chief.username,
    )  # fmt: skip
    zone = ZoneDesignation.objects.get(place=town.b1)
    assert (zone.decided_by, zone.recorded_by) == (chief, chief)
    assert AuditEvent.objects.filter(
        target_type="zones.zonedesignation", channel="cli", actor=chief
    ).exists()

    answer = run("status", "--place", town.h101.address, "--at", "2022-03-07T03:00")
    assert "封控区" in answer and "2022-03-07 02:30" in answer
    assert "未划定" in run("status", "--place", str(town.h101.pk), "--at", "2022-03-07T02:00")

    run("lift", "--designation", str(zone.pk), "--reason", "解除", "--at", "2022-03-21T09:00")
    zone.refresh_from_db()
    assert zone.ended_how == "lifted"


def test_the_command_line_refuses_an_unknown_kind(town, incident) -> None:
    with pytest.raises(CommandError, match="不是现行方案中的区域类型"):
        run("designate", "--place", str(town.b1.pk), "--kind", "red", "--reason", "x")


def test_evidence_and_proposals_from_the_command_line(town, incident) -> None:
    run("designate", "--place", str(town.b1.pk), "--kind", "prevention", "--reason", "防范",
        "--at", "2022-03-06T09:00")  # fmt: skip
    run("positive", "--place", str(town.h101.pk), "--found-at", "2022-03-07T01:00")
    run("round", "--place", str(town.sunny.pk), "--completed-at", "2022-03-21T06:00", "--negative")
    assert "没有符合" in run("proposals", "--at", "2022-03-20T12:00")
    listed = run("proposals", "--at", "2022-03-21T12:00")
    assert "防范区 → 解除" in listed
