import io
import json

import pytest
from django.core.management import call_command

from tongxin.workforce.factories import MemberFactory, make_post, make_shift
from tongxin.workforce.services.shifts import assign

from .conftest import local

pytestmark = pytest.mark.django_db


def _run(*args: str) -> dict:
    out = io.StringIO()
    call_command("workforce", *args, stdout=out)
    return json.loads(out.getvalue())


def test_coverage_json_per_post_and_shift_and_by_township(incident, team, town) -> None:
    here = make_shift(make_post(incident, "阳光点", place=town.sunny), local(6, 5), 5,
                      {"sampling": 6, "registrar": 2})  # fmt: skip
    make_shift(make_post(incident, "南山点", place=town.far), local(6, 5), 5, {"sampling": 1})
    assign(here, MemberFactory(incident=incident, team=team, phone="13811112222"), "sampling")
    data = _run("coverage", "--date", "2022-03-06", "--json")
    first = data["shifts"][0]
    assert first["post"]["name"] == "阳光点"
    assert first["demand"] == {"sampling": 6, "registrar": 2}
    assert first["assigned"] == {"sampling": 1, "registrar": 0}
    assert first["gap"] == {"sampling": 5, "registrar": 2}
    assert data["totals"]["gap"] == 8
    only = _run("coverage", "--date", "2022-03-06", "--township", town.township.name, "--json")
    assert [s["post"]["name"] for s in only["shifts"]] == ["阳光点"]


def test_figures_json_has_the_stable_keys_and_no_numbers(incident, team) -> None:
    MemberFactory(incident=incident, team=team, phone="13811112222")
    out = io.StringIO()
    call_command("workforce", "figures", "--json", stdout=out)
    data = json.loads(out.getvalue())
    assert {
        "mobilised_by_kind",
        "party_members_by_status",
        "branches",
        "volunteers",
        "hours",
    } <= set(data)
    assert "13811112222" not in out.getvalue()
