"""The demo registry and green channels: picked from existing residents, a run for tomorrow
with its manifest (door pick-ups in the zoned estate), idempotent."""

import datetime as dt

import pytest
from django.utils import timezone

from tongxin.accounts.models import Role
from tongxin.care.demo import SCHEDULES, load_demo_care
from tongxin.care.models import CareNeed, GreenRun, NeedKind, RunPassenger
from tongxin.factories import PersonFactory, UserFactory, household, make_id_number
from tongxin.incidents.models import Incident
from tongxin.zones.demo import load_demo_zones

pytestmark = pytest.mark.django_db


@pytest.fixture
def residents() -> None:
    """A big estate (zoned by the zones demo) and a village, with people of every age."""
    import random

    rng = random.Random(7)  # noqa: S311  (test data, not security)
    places = [household("城东嘉苑", str(n), "101") for n in range(1, 15)]
    places += [household("锦绣花园", "1", str(r), community="锦江社区") for r in (101, 102)]
    places += [
        household("上坞", "1", str(h), township="南山镇", community="南山村") for h in range(1, 9)
    ]
    births = ["19500101", "19620315", "19700707", "19450505", "19900909", "19951111", "20210601"]
    for i, place in enumerate(places):
        for j, birth in enumerate(births[(i % 3) : (i % 3) + 3]):
            number = make_id_number(region=f"3308{i:02d}", birth=birth, rng=rng)
            PersonFactory(household=place, document_number=number, name=f"居民{i}-{j}")
    alone = household("城东嘉苑", "1", "909")
    PersonFactory(household=alone, document_number=make_id_number("330899", "19380101", rng))
    UserFactory(role=Role.SUPPORT_TEAM, username="support_team")
    UserFactory(role=Role.TRANSFER, username="transfer")


def test_the_demo_has_a_registry_and_a_run_for_tomorrow(
    residents: None, incident: Incident
) -> None:
    now = timezone.now()
    load_demo_zones(incident, now)
    summary = load_demo_care(incident, now)

    dialysis = CareNeed.objects.filter(kind=NeedKind.DIALYSIS)
    townships = {n.person.household.path[:8] for n in dialysis.select_related("person__household")}
    assert len(townships) == 2
    assert set(dialysis.values_list("weekdays", flat=True)) <= set(SCHEDULES)
    assert summary["needs"].get("elderly_alone") == 1
    assert {NeedKind.DIALYSIS, NeedKind.CHRONIC, NeedKind.ELDERLY_ALONE} <= set(summary["needs"])

    tomorrow = timezone.localdate(now) + dt.timedelta(days=1)
    tomorrow_runs = GreenRun.objects.filter(date=tomorrow)
    assert tomorrow_runs.exists() and summary["passengers_tomorrow"] > 0
    weekday = str(tomorrow.isoweekday())
    for p in RunPassenger.objects.filter(run__date=tomorrow).select_related("need"):
        assert weekday in p.need.weekdays
    crewed = tomorrow_runs.filter(driver__username="support_team").get()
    assert crewed.escort.username == "transfer" and crewed.vehicle
    assert crewed.passengers.filter(slot__isnull=False).exists()


def test_patients_in_the_zoned_estate_are_fetched_at_the_door(
    residents: None, incident: Incident
) -> None:
    now = timezone.now()
    load_demo_zones(incident, now)
    load_demo_care(incident, now)
    in_big_estate = RunPassenger.objects.filter(person__household__address__contains="城东嘉苑")
    assert in_big_estate.exists()
    assert all(p.at_door and p.zone_name for p in in_big_estate)
    assert RunPassenger.objects.filter(at_door=False).exists()


def test_loading_twice_changes_nothing(residents: None, incident: Incident) -> None:
    now = timezone.now()
    first = load_demo_care(incident, now)
    rows = (CareNeed.objects.count(), GreenRun.objects.count(), RunPassenger.objects.count())
    statuses = list(RunPassenger.objects.order_by("id").values_list("status", flat=True))
    second = load_demo_care(incident, now + dt.timedelta(minutes=5))
    assert second["created"] == 0 and first["created"] > 0
    assert (
        CareNeed.objects.count(),
        GreenRun.objects.count(),
        RunPassenger.objects.count(),
    ) == rows
    assert list(RunPassenger.objects.order_by("id").values_list("status", flat=True)) == statuses
