"""A module's nested groups of figures (tracing's cases by classification and channel, its
contacts by level and by management status) are cards of their own with their names, and a
picture over several estates adds them up like any other figure."""

import pytest

from tongxin.command.factories import local
from tongxin.command.services import figures as fig
from tongxin.people.models import Person
from tongxin.tracing.models import (
    Case,
    Channel,
    Classification,
    Contact,
    ContactStatus,
    ExposureType,
    Level,
    Management,
    ManagementStatus,
)

pytestmark = pytest.mark.django_db


def _contact(world, case, home, level, status):
    person = Person.objects.filter(household=world.homes[home]).first()
    management = Management.objects.create(
        incident=world.incident, person=person, household=person.household,
        path=person.household.path, level=level, status=status,
    )  # fmt: skip
    Contact.objects.create(
        incident=world.incident, management=management, source_case=case,
        exposure_type=ExposureType.BUILDING, first_exposure=local(7, 8),
        last_exposure=local(7, 9), level=level, status=ContactStatus.CONFIRMED,
        confirmed_at=local(7, 10),
    )  # fmt: skip


def _tracing(picture):
    section = next(s for s in picture["sections"] if s["module"] == "tracing")
    return {f["key"]: f for f in section["figures"]}


def test_cases_and_contacts_by_group(world):
    patient = Person.objects.filter(household=world.homes["sun"]).first()
    case = Case.objects.create(
        incident=world.incident, number=1, person=patient, classification=Classification.MILD,
        channel=Channel.COMMUNITY, reported_at=local(7, 9),
    )  # fmt: skip
    _contact(world, case, "sun2", Level.CLOSE, ManagementStatus.ISOLATED)
    _contact(world, case, "huabu", Level.SECONDARY, ManagementStatus.HOME)

    county = _tracing(fig.picture(world.incident))
    assert county["cases"]["value"] == 1
    mild = county["cases_by_classification.mild"]
    assert (mild["value"], mild["label"]) == (1, "病例分类·确诊（轻型）")
    assert county["cases_by_channel.community"]["label"] == "发现途径·社区筛查"
    assert county["contacts_by_level.close"]["value"] == 1
    assert county["contacts_by_level.secondary"]["value"] == 1
    isolated = county["contacts_by_level_and_status.close.isolated"]
    assert (isolated["value"], isolated["label"]) == (1, "管控状态·密接·已集中隔离")
    assert county["contacts_by_level_and_status.secondary.home"]["value"] == 1
    assert county["contacts_by_level_and_status.close.released"]["value"] == 0

    # Two estates' pictures added up, as a unit leader with both would see them.
    both = _tracing(fig.picture(world.incident, [world.sunshine, world.huabu]))
    assert both["contacts_by_level.close"]["value"] == 1
    assert both["contacts_by_level.secondary"]["value"] == 1
    assert both["cases_by_classification.mild"]["value"] == 1
    only_huabu = _tracing(fig.picture(world.incident, [world.huabu]))
    assert only_huabu["contacts_by_level.close"]["value"] == 0
    assert only_huabu["contacts_by_level_and_status.secondary.home"]["value"] == 1
