"""`tongxin testing …` on the command line."""

import json
import sys
import types
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from tongxin.testing.models import PlanSlot

pytestmark = pytest.mark.django_db


def _run(*args: str) -> str:
    out = StringIO()
    call_command("testing", *args, stdout=out)
    return out.getvalue()


def test_calculate_answers_ten_thousand_in_twelve_hours() -> None:
    result = json.loads(_run("calculate", "10000", "12", "--json"))
    assert (result["samplers"], result["points"], result["samplers_per_point"]) == (28, 4, 7)
    assert "28 名采样人员" in _run("calculate", "10000", "12")


def test_plan_a_round_by_name(slow_round) -> None:
    summary = json.loads(_run("plan", slow_round.name, "--json"))
    assert summary["feasible"] and summary["people"] == 8
    assert PlanSlot.objects.filter(round=slow_round).count() == 3
    assert str(slow_round.pk) in _run("rounds")


def test_unknown_round_is_an_error() -> None:
    with pytest.raises(CommandError):
        _run("plan", "没有这一轮")


def test_coverage_and_recalls_come_from_the_sampling_app(slow_round, monkeypatch) -> None:

    calls = []
    fake = types.ModuleType("fake")
    fake.coverage_report = lambda round, area=None: calls.append((round, area)) or {  # type: ignore[attr-defined]
        "should_test": 8, "sampled": 3,
    }  # fmt: skip
    fake.recalls_report = lambda round: [{"tube": "T1", "status": "open", "members": []}]  # type: ignore[attr-defined]
    modules = sys.modules
    monkeypatch.setitem(modules, "tongxin.sampling.services.coverage", fake)
    monkeypatch.setitem(modules, "tongxin.sampling.services.recalls", fake)
    result = json.loads(_run("coverage", str(slow_round.pk), "--json"))
    assert result == {"should_test": 8, "sampled": 3} and calls == [(slow_round, None)]
    recalls = json.loads(_run("recalls", slow_round.name, "--json"))
    assert recalls == [{"tube": "T1", "status": "open", "members": []}]
    assert "T1\topen" in _run("recalls", str(slow_round.pk))
