"""The demo's isolation: sites, people in isolation on both editions' schedules, a batch in
progress with an unreachable person and their contact log, one released onto home monitoring;
loading twice changes nothing."""

import pytest
from django.utils import timezone

from tongxin.accounts.models import Role
from tongxin.factories import PersonFactory, UnitFactory, UserFactory, household, make_id_number
from tongxin.isolation.demo import load_demo_isolation
from tongxin.isolation.models import (
    Batch,
    BatchStatus,
    HomeWatch,
    Outcome,
    Site,
    Stay,
    StayStatus,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def county(inc):
    import random

    rng = random.Random(3)  # noqa: S311  (test data)
    places = [household("城东嘉苑", str(b), str(100 + r)) for b in range(1, 5) for r in range(8)]
    places += [
        household("上坞", "1", str(h), township="南山镇", community="南山村") for h in range(4)
    ]
    for i, place in enumerate(places):
        PersonFactory(household=place, name=f"居民{i}",
                      document_number=make_id_number(birth=f"{1940 + i}0101", rng=rng))  # fmt: skip
    UserFactory(role=Role.COMMAND_POST, username="command_post")
    UserFactory(role=Role.TRANSFER, username="transfer", unit=UnitFactory(name="县转运隔离专班"))
    return inc


def test_the_demo(county):
    now = timezone.now()
    summary = load_demo_isolation(county, now)
    assert summary["created"] and summary["sites"] == 3
    editions = set(
        Stay.objects.filter(status=StayStatus.IN_SITE).values_list("edition_code", flat=True)
    )
    assert editions == {"np-8", "np-9"}
    county.refresh_from_db()
    assert county.policy_edition.code == "np-8"  # switched back after the 9th's group
    nine = Stay.objects.filter(edition_code="np-9").first()
    assert nine.rules["test_days"] == [1, 2, 3, 5, 7]
    tonight = Batch.objects.exclude(status=BatchStatus.CLOSED).get()
    unreachable = tonight.members.get(outcome=Outcome.UNREACHABLE)
    assert unreachable.contacts.count() == 3 and unreachable.escalated_at is not None
    assert unreachable.entry.elderly_alone
    assert HomeWatch.objects.filter(kind="home_monitoring").count() == 1

    again = load_demo_isolation(county, now)
    assert again["created"] is False and Site.objects.count() == 3
