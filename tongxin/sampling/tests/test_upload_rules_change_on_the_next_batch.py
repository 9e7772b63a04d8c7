"""The bulk upload keeps what it asks on every batch (rounds, points, staffing, zones, modes) in
each worker's memory while the tables those answers come from are unchanged
(services/upload_rules.py, PostgreSQL triggers of sampling migration 0007). Whatever changes
those answers takes effect on the very next batch: a round closed, a point detached, a unit's
assignment ended, a site's staffing withdrawn, a zone designated or starting at its set time, a
mode override, a token revoked. On SQLite nothing is kept; the same tests hold there."""

import datetime as dt

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from tongxin.accounts.models import ApiToken, Role, User
from tongxin.factories import UserFactory
from tongxin.sampling.services import upload_rules
from tongxin.sampling.services.recording import NotAllowed
from tongxin.testing.models import RoundStatus
from tongxin.testing.services.rounds import detach_point, set_mode_override, set_status
from tongxin.units.models import UnitAssignment
from tongxin.zones.services import designate_zone

from .conftest import event, local


@pytest.fixture(autouse=True)
def _nothing_kept_from_other_tests():
    upload_rules.forget()
    yield
    upload_rules.forget()


def _status(result, n=0):
    item = result.results[n]
    return item["status"], item.get("reason")


def test_a_closed_round_refuses_the_next_batch(world, upload):
    people = world.all_people()
    assert _status(upload([event(people[0], "C1")])) == ("stored", None)
    set_status(world.round, RoundStatus.CLOSED)
    assert _status(upload([event(people[1], "C1")])) == ("refused", "round_closed")


def test_a_point_detached_from_the_round_refuses_the_next_batch(world, upload):
    people = world.all_people()
    assert _status(upload([event(people[0], "D1")])) == ("stored", None)
    detach_point(world.round, world.point)
    assert _status(upload([event(people[1], "D1")])) == ("refused", "no_point")


def test_an_ended_assignment_takes_the_round_away_on_the_next_batch(world, upload):
    people = world.all_people()
    assert _status(upload([event(people[0], "E1")])) == ("stored", None)
    # The sampler's team (县人民医院采样队) is handed off the county town yesterday.
    sampler = world.users["sampler"]
    UnitAssignment.objects.filter(unit_id=sampler.unit_id).update(
        ends_on=timezone.localdate() - dt.timedelta(days=1)
    )
    world.users["sampler"] = User.objects.get(pk=sampler.pk)  # as the next request loads it
    assert _status(upload([event(people[1], "E1")])) == ("refused", "no_round")


def test_withdrawn_site_staffing_refuses_the_next_batch(world, upload):
    from tongxin.isolation.models import Site, SiteKind

    nurse = UserFactory(username="nurse", role=Role.GRID_STAFF, unit=None)
    world.users["nurse"] = nurse
    site = Site.objects.create(
        name="县隔离酒店", place=world.sunny, kind=SiteKind.HOTEL, test_point=world.point
    )
    site.staff.add(nurse)
    people = world.all_people()
    assert _status(upload([event(people[0], "S1")], user="nurse")) == ("stored", None)
    site.staff.remove(nurse)
    with pytest.raises(NotAllowed):
        upload([event(people[1], "S1")], user="nurse")


def test_a_zone_designated_between_batches_warns_on_the_next_batch(world, upload):
    resident = world.people["s1-101"][0]
    first = upload([event(resident, "Z1")])
    assert "sealed" not in (first.results[0].get("warnings") or [])
    designate_zone(world.homes["s1-101"].parent, "sealed", world.incident, at=local(6, 9),
                   reason="发现阳性", decided_by=world.users["command"])  # fmt: skip
    second = upload([event(world.people["s1-101"][1], "Z2")])
    assert "sealed" in second.results[0]["warnings"]


def test_a_zone_recorded_ahead_of_time_applies_from_its_start(world, upload):
    designate_zone(world.homes["s1-101"].parent, "sealed", world.incident, at=local(6, 13),
                   reason="发现阳性", decided_by=world.users["command"])  # fmt: skip
    before = upload([event(world.people["s1-101"][0], "F1")], now=local(6, 12, 30))
    assert "sealed" not in (before.results[0].get("warnings") or [])
    # No table changed since: only the clock moved past the designation's start.
    after = upload(
        [event(world.people["s1-101"][1], "F2", at=local(6, 13, 5))], now=local(6, 13, 10)
    )
    assert "sealed" in after.results[0]["warnings"]


def test_a_mode_override_opens_the_next_new_tube_in_its_mode(world, upload):
    people = world.people["s1-101"]
    first = upload([event(people[0], "M1")], tube_mode="")
    assert first.tubes["M1"]["mode"] != "single"  # as the edition says outside zones
    set_mode_override(world.round, world.sunny, "single")
    second = upload([event(people[1], "M2")], tube_mode="")
    assert second.tubes["M2"]["mode"] == "single"


def test_a_revoked_token_is_refused_on_the_next_batch(world):
    token, key = ApiToken.issue(world.users["sampler"], "采样终端")
    client = Client(HTTP_AUTHORIZATION=f"Bearer {key}")
    people = world.all_people()

    def send(person, tube):
        at = timezone.now() - dt.timedelta(minutes=1)
        body = {"round": world.round.pk, "point": world.point.pk, "tube_mode": "pool_10",
                "events": [event(person, tube, at=at)]}  # fmt: skip
        return client.post("/api/v1/sampling/events", body, content_type="application/json")

    assert send(people[0], "K1").status_code == 200
    ApiToken.objects.filter(pk=token.pk).update(revoked_at=timezone.now())
    assert send(people[1], "K1").status_code == 401


@pytest.mark.skipif(connection.vendor != "postgresql", reason="kept on PostgreSQL only")
def test_the_next_batch_does_not_ask_again(world, upload):
    people = world.all_people()
    with CaptureQueriesContext(connection) as first:
        upload([event(people[0], "Q1")])
    with CaptureQueriesContext(connection) as second:
        upload([event(people[1], "Q2")])
    asked = [q["sql"] for q in second.captured_queries]
    assert not any('FROM "testing_testround"' in sql for sql in asked)
    assert not any('FROM "zones_zonedesignation"' in sql for sql in asked)
    assert len(second.captured_queries) < len(first.captured_queries)
