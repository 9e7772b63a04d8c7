"""A county scripts its first night: open the incident, launch a round, import its points."""

import json
from pathlib import Path
from typing import Any

import pytest
from django.core.management import CommandError, call_command

from tongxin.audit.models import AuditEvent
from tongxin.factories import household
from tongxin.incidents.models import Incident
from tongxin.incidents.services import load_policy_editions
from tongxin.testing.models import RoundPoint, RoundStatus, TestPoint, TestRound
from tongxin.testing.services.points_import import parse_hours

POINTS = """\
采样点,服务范围,采样人员数,采样时间,备注
阳光小区东门采样点,芹阳办事处/东门社区/阳光小区,4,07:00-19:00,门口
幸福小区采样点,东门社区/幸福小区、东门社区/阳光小区,张三、李四、王五,7:30～18,
华埠采样点,华埠镇/华民社区/上村,2,7-19,
无名点,,2,7-19,
夜间点,东门社区/幸福小区,2,晚上,
阳光小区东门采样点,芹阳办事处/东门社区/阳光小区,4,07:00-19:00,
"""


@pytest.fixture
def county(db: Any) -> None:
    load_policy_editions()
    household("阳光小区", "1", "101")
    household("幸福小区", "1", "101")
    household("上村", "1", "1", township="华埠镇", community="华民社区")


def _json(capsys: Any) -> dict[str, Any]:
    return json.loads(capsys.readouterr().out)


def test_open_round_and_points_from_the_command_line(
    county: None, tmp_path: Path, capsys: Any
) -> None:
    call_command("incident", "open", "--name", "2022-03 开化疫情", "--edition", "np-9", "--json")
    incident = Incident.objects.get()
    assert _json(capsys)["edition"] == "np-9" and incident.is_open
    call_command("incident", "open", "--name", "2022-03 开化疫情", "--edition", "np-9")
    assert Incident.objects.count() == 1  # a re-run script changes nothing
    with pytest.raises(CommandError):
        call_command("incident", "open", "--name", "2022-03 开化疫情", "--edition", "np-8")
    capsys.readouterr()

    args = ["testing", "create-round", "--incident", "2022-03 开化疫情", "--name", "第一轮",
            "--starts", "2022-03-06 07:00", "--deadline", "2022-03-06 19:00",
            "--area", "芹阳办事处/东门社区", "--activate", "--json"]  # fmt: skip
    call_command(*args)
    made = _json(capsys)
    test_round = TestRound.objects.get(pk=made["id"])
    assert made["created"] and test_round.status == RoundStatus.ACTIVE
    call_command(*args)
    assert _json(capsys)["created"] is False and TestRound.objects.count() == 1

    sheet = tmp_path / "采样点.csv"
    sheet.write_text(POINTS, encoding="utf-8")
    call_command("testing", "import-points", str(test_round.pk), str(sheet), "--dry-run", "--json")
    assert _json(capsys)["created"] == 2 and not TestPoint.objects.exists()
    call_command("testing", "import-points", "第一轮", str(sheet), "--json")
    summary = _json(capsys)
    assert summary["created"] == 2 and summary["duplicate"] == 1
    assert summary["rejected_reasons"] == {
        "invalid_hours": 1, "missing_served": 1, "outside_round": 1,
    }  # fmt: skip
    assert summary["ignored_columns"] == ["备注"]
    east = TestPoint.objects.get(name="阳光小区东门采样点")
    assert (east.samplers, str(east.opens_at), str(east.closes_at)) == (4, "07:00:00", "19:00:00")
    happy = TestPoint.objects.get(name="幸福小区采样点")
    assert happy.samplers == 3  # three samplers named
    assert RoundPoint.objects.get(point=happy).serves.count() == 2
    assert AuditEvent.objects.filter(action="import", target_type="testing.testpoint").count() == 1
    call_command("testing", "import-points", "第一轮", str(sheet), "--json")
    again = _json(capsys)
    assert (again["created"], again["updated"], again["unchanged"]) == (0, 0, 2)

    call_command("incident", "close", "--name", "2022-03 开化疫情", "--json")
    closed = _json(capsys)
    assert closed["ended_at"] and closed["purge_due_on"]


def test_opening_hours_forms() -> None:
    assert [str(t) for t in parse_hours("07:00-19:00")] == ["07:00:00", "19:00:00"]
    assert [str(t) for t in parse_hours("7:30～18")] == ["07:30:00", "18:00:00"]
    with pytest.raises(ValueError):
        parse_hours("全天")
