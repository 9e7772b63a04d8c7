import datetime as dt
from dataclasses import dataclass

import pytest

from tongxin.accounts.models import Role, User
from tongxin.factories import PersonFactory, UnitFactory, UserFactory, assign, household
from tongxin.incidents.models import Incident, PolicyEdition
from tongxin.incidents.services import load_policy_editions, open_incident
from tongxin.people.models import Person
from tongxin.places.models import Place
from tongxin.testing.models import TestRound
from tongxin.testing.services.rounds import create_round

CST = dt.timezone(dt.timedelta(hours=8))
# The report's first night began on 5 March 2022, 20:00 county time.
START = dt.datetime(2022, 3, 5, 20, 0, tzinfo=CST)


def local(day: int, hour: int = 0, minute: int = 0) -> dt.datetime:
    """An aware datetime in county time on `day` March 2022."""
    return dt.datetime(2022, 3, day, hour, minute, tzinfo=CST)


@dataclass
class Estates:
    """Two estates in one community: 阳光小区 (buildings 1-3) and 幸福小区 (building 1)."""

    community: Place
    sunny: Place
    happy: Place
    b1: Place
    b2: Place
    b3: Place
    h101: Place  # sunny 1幢101
    h102: Place  # sunny 1幢102
    h201: Place  # sunny 2幢201
    h301: Place  # sunny 3幢301
    h_happy: Place  # happy 1幢101


@pytest.fixture
def estates() -> Estates:
    h101 = household("阳光小区", "1", "101")
    h102 = household("阳光小区", "1", "102")
    h201 = household("阳光小区", "2", "201")
    h301 = household("阳光小区", "3", "301")
    h_happy = household("幸福小区", "1", "101")
    sunny = h101.parent.parent
    return Estates(
        community=sunny.parent,
        sunny=sunny,
        happy=h_happy.parent.parent,
        b1=h101.parent,
        b2=h201.parent,
        b3=h301.parent,
        h101=h101,
        h102=h102,
        h201=h201,
        h301=h301,
        h_happy=h_happy,
    )


@pytest.fixture
def np8() -> PolicyEdition:
    load_policy_editions()
    return PolicyEdition.objects.get(code="np-8")


@pytest.fixture
def np9() -> PolicyEdition:
    load_policy_editions()
    return PolicyEdition.objects.get(code="np-9")


@pytest.fixture
def incident(np8: PolicyEdition) -> Incident:
    return open_incident("2022-03 开化疫情", np8, START)


@pytest.fixture
def chief() -> User:
    return UserFactory(role=Role.COMMAND_POST, full_name="指挥长")


@pytest.fixture
def round_(incident: Incident, estates: Estates, chief: User) -> TestRound:
    """A round over 阳光小区 only, 6 March 07:00 to 19:00."""
    return create_round(
        incident, "第一轮全员核酸", local(6, 7), local(6, 19), [estates.sunny], by=chief
    )


def residents(place: Place, n: int, **kwargs: object) -> list[Person]:
    return [PersonFactory(household=place, **kwargs) for _ in range(n)]


@pytest.fixture
def water_bureau(estates: Estates):  # type: ignore[no-untyped-def]
    unit = UnitFactory(name="县水利局")
    assign(unit, estates.sunny)
    return unit


@pytest.fixture
def point_a(estates: Estates):  # type: ignore[no-untyped-def]
    from tongxin.testing.services.rounds import create_point

    return create_point("阳光小区东门采样点", estates.sunny, dt.time(7), dt.time(19), 1)


@pytest.fixture
def slow_round(round_: TestRound, estates: Estates, point_a):  # type: ignore[no-untyped-def]
    """阳光小区 at 2 people a sampler-hour (small numbers, same arithmetic): 1幢 4 people,
    2幢 2, 3幢 2; one point with one sampler, open 07:00–19:00."""
    from tongxin.testing.services.rounds import attach_point

    round_.people_per_sampler_hour = 2
    round_.save()
    residents(estates.h101, 2)
    residents(estates.h102, 2)
    residents(estates.h201, 2)
    residents(estates.h301, 2)
    attach_point(round_, point_a)
    return round_


@dataclass
class Cadres:
    leader: User  # the water bureau's unit leader
    a: User  # 包楼 1幢
    b: User  # 包楼 2幢
    c: User  # 专职网格员 of 阳光小区 (3幢 has no cadre of its own)


@pytest.fixture
def cadres(estates: Estates, water_bureau) -> Cadres:  # type: ignore[no-untyped-def]
    from tongxin.units.models import BuildingAssignment, GridRole, GridRoleKind

    leader = UserFactory(role=Role.UNIT_LEADER, unit=water_bureau, full_name="局长")
    a = UserFactory(role=Role.GRID_STAFF, unit=water_bureau, full_name="干部甲")
    b = UserFactory(role=Role.GRID_STAFF, unit=water_bureau, full_name="干部乙")
    c = UserFactory(role=Role.GRID_STAFF, unit=water_bureau, full_name="网格员丙")
    BuildingAssignment.objects.create(user=a, place=estates.b1, starts_on=dt.date(2022, 1, 1))
    BuildingAssignment.objects.create(user=b, place=estates.b2, starts_on=dt.date(2022, 1, 1))
    GridRole.objects.create(user=c, place=estates.sunny, role=GridRoleKind.FULL_TIME)
    return Cadres(leader, a, b, c)
