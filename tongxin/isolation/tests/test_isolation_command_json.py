"""`tongxin isolation sites|transfer-list|allocate|batch|release-due --json` give the keys other
tools rely on, with masked ID numbers only."""

import json

import pytest
from django.core.management import call_command

from tongxin.factories import household
from tongxin.isolation import factories as f
from tongxin.isolation.models import Outcome
from tongxin.isolation.services import batches as b

pytestmark = pytest.mark.django_db


def run(*args):
    from io import StringIO

    out = StringIO()
    call_command("isolation", *args, "--json", stdout=out)
    return json.loads(out.getvalue())


def test_the_stable_json(inc, chief, escort, site_staff, site):
    home = household("阳光小区", "1", "101")
    people = [f.resident(home), f.resident(household("阳光小区", "1", "102"))]
    entries = [f.listed(inc, p, by=chief) for p in people]

    listing = run("transfer-list", "--incident", str(inc.pk))
    assert {e["name"] for e in listing["entries"]} == {p.name for p in people}
    first = listing["entries"][0]
    assert {"level", "household_group", "needs", "document_masked"} <= set(first)
    raw = json.dumps(listing, ensure_ascii=False)
    assert all(p.document_number not in raw for p in people)

    batch = b.create_batch(
        chief, inc, site, entries, vehicle_plate="浙H9", seats=5, planned_at=f.START,
        escort=escort,
    )  # fmt: skip
    placed = run("allocate", batch.code)
    assert [bool(p["room"]) for p in placed["placements"]] == [True, True]

    sites = run("sites")
    [line] = sites["sites"]
    assert {"rooms", "occupied", "free", "to_be_cleaned"} <= set(line)
    assert line["occupied"] == 2

    m = list(batch.members.all())
    b.record_outcome(escort, m[0], Outcome.BOARDED)
    b.record_outcome(escort, m[1], Outcome.DEFERRED, "住院中")
    b.receive(site_staff, batch, [m[0].pk])
    counts = run("batch", str(batch.pk))
    expected = {
        "planned": 2, "boarded": 1, "unreachable": 0, "refused": 0, "deferred": 1,
        "not_found": 0, "received": 1, "reconciles": True,
    }  # fmt: skip
    assert {k: counts[k] for k in expected} == expected

    due = run("release-due", "--date", "2022-03-19")
    assert [p["name"] for p in due["people"]] == [m[0].entry.name]
    assert due["people"][0]["last_test"] is None and due["people"][0]["may_release"] is False
