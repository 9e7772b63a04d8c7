import datetime as dt
from dataclasses import dataclass

import pytest

from tongxin.accounts.models import Role, User
from tongxin.care.models import CareNeed, Hospital, NeedKind
from tongxin.factories import PersonFactory, UnitFactory, UserFactory, assign, household
from tongxin.incidents.models import Incident, PolicyEdition
from tongxin.incidents.services import load_policy_editions, open_incident
from tongxin.people.models import Person
from tongxin.places.models import Place

# 2022-03-05 20:00 in the county (Asia/Shanghai). 2022-03-07 is a Monday.
START = dt.datetime(2022, 3, 5, 12, 0, tzinfo=dt.UTC)
MONDAY = dt.date(2022, 3, 7)
TUESDAY = dt.date(2022, 3, 8)


@pytest.fixture
def hospital() -> Hospital:
    return Hospital.objects.create(name="县人民医院", address="同心县人民路1号")


@dataclass
class County:
    """Two townships: 芹阳 (阳光小区, 幸福小区) and 华埠 (江滨小区)."""

    sunny_101: Place
    sunny_201: Place
    happy_101: Place
    river_101: Place

    @property
    def sunny(self) -> Place:
        return self.sunny_101.parent.parent

    @property
    def happy(self) -> Place:
        return self.happy_101.parent.parent

    @property
    def qinyang(self) -> Place:
        return self.sunny.parent.parent

    @property
    def huabu(self) -> Place:
        return self.river_101.parent.parent.parent.parent


@pytest.fixture
def county() -> County:
    return County(
        sunny_101=household("阳光小区", "1", "101"),
        sunny_201=household("阳光小区", "2", "201"),
        happy_101=household("幸福小区", "1", "101", community="西门社区"),
        river_101=household("江滨小区", "1", "101", township="华埠镇", community="江滨社区"),
    )


@pytest.fixture
def np8() -> PolicyEdition:
    load_policy_editions()
    return PolicyEdition.objects.get(code="np-8")


@pytest.fixture
def incident(np8: PolicyEdition) -> Incident:
    return open_incident("2022-03 开化疫情", np8, START)


@pytest.fixture
def chief() -> User:
    return UserFactory(role=Role.COMMAND_POST, full_name="指挥长")


@pytest.fixture
def sunny_grid(county: County) -> User:
    """Grid staff of a unit responsible for 阳光小区 only."""
    unit = UnitFactory(name="县水利局")
    assign(unit, county.sunny)
    return UserFactory(role=Role.GRID_STAFF, unit=unit, full_name="网格员甲")


def dialysis(
    person: Person, hospital: Hospital, weekdays: str = "135", time: dt.time | None = None
) -> CareNeed:
    return CareNeed.objects.create(
        person=person,
        kind=NeedKind.DIALYSIS,
        hospital=hospital,
        weekdays=weekdays,
        session_time=time or dt.time(8, 0),
    )


def resident(place: Place, name: str) -> Person:
    return PersonFactory(household=place, name=name)
