"""The demo round in progress: points busy this hour, buildings done, one positive pool
recalled; loading it again changes nothing."""

import datetime as dt

import pytest

from tongxin.accounts.models import Role
from tongxin.factories import PersonFactory, UnitFactory, UserFactory, assign, household
from tongxin.incidents.models import PolicyEdition
from tongxin.incidents.services import load_policy_editions, open_incident
from tongxin.sampling.demo import load_demo_sampling
from tongxin.sampling.models import (
    Box,
    BoxStatus,
    DoorStatus,
    DoorTask,
    Recall,
    RecallStatus,
    SampleEvent,
    Tube,
    WalkIn,
)
from tongxin.sampling.services.coverage import coverage_report
from tongxin.testing.demo import load_demo_testing
from tongxin.units.models import UnitAssignment
from tongxin.zones.demo import load_demo_zones

from .conftest import START, local

pytestmark = pytest.mark.django_db


@pytest.fixture
def demo_round():
    load_policy_editions()
    incident = open_incident("2022-03 疫情（演示）", PolicyEdition.objects.get(code="np-8"), START)
    for number in range(1, 49):
        for room in ("101", "102", "201"):
            home = household("城东嘉苑", str(number), room)
            for _ in range(2):
                PersonFactory(household=home)
    estate = household("城东嘉苑", "1", "101").parent.parent
    UserFactory(username="command_post", role=Role.COMMAND_POST)
    team = UnitFactory(name="县人民医院采样队")
    assign(team, estate.parent.parent)
    UnitAssignment.objects.update(starts_on=dt.date(2022, 1, 1))
    UserFactory(username="test_point", role=Role.TEST_POINT, unit=team)
    UserFactory(username="lab_liaison", role=Role.LAB_LIAISON)
    now = local(6, 10, 30)
    load_demo_zones(incident, now)
    load_demo_testing(incident, now)
    return incident, now


def test_the_demo_round_is_in_progress_with_a_recall(demo_round):
    incident, now = demo_round
    summary = load_demo_sampling(incident, now)
    assert summary["created"]
    test_round = summary["round"]
    assert summary["samples"] > 50

    report = coverage_report(test_round, now=now)
    assert 0 < report["sampled"] < report["should_test"]
    # (This small estate's slots all fit in the round's first half hour; in the demo county's
    # 48-building estate they run all day and several points are busy at any hour.)
    assert len(report["points"]) >= 4
    done = [c for c in report["children"] if c["should_test"] and c["untested"] <= 1]
    assert done, "some buildings are (nearly) done"

    recall = Recall.objects.get(round=test_round)
    assert recall.status == RecallStatus.OPEN
    assert recall.members.count() == recall.tube.sample_count
    assert recall.members.exclude(result="").count() == 2
    assert Tube.objects.filter(round=test_round).exclude(result="").count() > 1
    assert DoorTask.objects.filter(round=test_round, status=DoorStatus.DONE).exists()
    assert Box.objects.get(round=test_round).status == BoxStatus.RECEIVED
    assert WalkIn.objects.count() == 1

    again = load_demo_sampling(incident, now + dt.timedelta(minutes=30))
    assert not again["created"]
    assert again["samples"] == SampleEvent.objects.count() == summary["samples"]
    assert Recall.objects.count() == 1
