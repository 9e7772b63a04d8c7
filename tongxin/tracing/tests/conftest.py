"""A small county for the tracing tests.

阳光小区 building 1 (县水利局's, its grid staff `grid`) has flats on floors 17–20 and a
ground-floor flat; 华埠小区 (县卫健局's, `grid_b`) is elsewhere. The incident runs on np-8
(密接 14 + 7 days centralized, 次密接 7 days centralized) unless a test switches it.
"""

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

import pytest

from tongxin.accounts.models import Role, User
from tongxin.factories import PersonFactory, UnitFactory, UserFactory, assign, household
from tongxin.incidents.models import Incident, PolicyEdition
from tongxin.incidents.services import load_policy_editions, open_incident
from tongxin.people.models import Person
from tongxin.places.models import Place
from tongxin.tracing.edition_rules import add_to_editions
from tongxin.tracing.models import Case, Channel
from tongxin.tracing.services.cases import create_case
from tongxin.units.models import UnitAssignment

CST = dt.timezone(dt.timedelta(hours=8))
PASSWORD = "pass-word-123"


def local(day: int, hour: int = 0, minute: int = 0) -> dt.datetime:
    return dt.datetime(2022, 3, day, hour, minute, tzinfo=CST)


@dataclass
class World:
    incident: Incident
    homes: dict[str, Place]
    people: dict[str, list[Person]]
    users: dict[str, User] = field(default_factory=dict)

    def one(self, home: str, i: int = 0) -> Person:
        return self.people[home][i]


@pytest.fixture
def world(db: Any) -> World:
    # A live-server test flushes the data migrations' rows; other fixtures reload the bundled
    # editions without tracing's keys. Either way: the editions, then tracing's rules on them.
    load_policy_editions()
    add_to_editions(PolicyEdition)
    incident = open_incident("2022-03 开化疫情", PolicyEdition.objects.get(code="np-8"), local(1))
    homes = {
        room: household("阳光小区", "1", room)
        for room in ("1701", "1801", "1802", "1901", "2001", "101")
    }
    homes["b2-1801"] = household("阳光小区", "2", "1801")
    homes["hb-301"] = household("华埠小区", "3", "301", township="华埠镇", community="华民社区")
    people = {
        "1801": [
            PersonFactory(name=n, household=homes["1801"]) for n in ("张三", "李梅", "张小三")
        ],
        "1802": [PersonFactory(name="王五", household=homes["1802"])],
        "1701": [PersonFactory(name="赵六", household=homes["1701"])],
        "1901": [PersonFactory(name="钱七", household=homes["1901"])],
        "2001": [PersonFactory(name="孙八", household=homes["2001"])],
        "101": [PersonFactory(name="周九", household=homes["101"])],
        "b2-1801": [PersonFactory(name="吴十", household=homes["b2-1801"])],
        "hb-301": [PersonFactory(name=n, household=homes["hb-301"]) for n in ("郑一", "郑二")],
    }
    water, health = UnitFactory(name="县水利局"), UnitFactory(name="县卫健局")
    assign(water, homes["1801"].parent.parent)  # 阳光小区
    assign(health, homes["hb-301"].parent.parent)  # 华埠小区
    UnitAssignment.objects.update(starts_on=dt.date(2022, 1, 1))
    w = World(incident=incident, homes=homes, people=people)
    w.users = {
        "investigator": UserFactory(username="investigator", role=Role.INVESTIGATOR),
        "command": UserFactory(username="command", role=Role.COMMAND_POST),
        "grid": UserFactory(username="grid", role=Role.GRID_STAFF, unit=water),
        "grid_b": UserFactory(username="grid_b", role=Role.GRID_STAFF, unit=health),
        "sysadmin": UserFactory(username="sysadmin", role=Role.SYSADMIN),
    }
    return w


def make_case(
    w: World, person: Person, *, reported: dt.datetime | None = None, **extra: Any
) -> Case:
    extra.setdefault("channel", Channel.COMMUNITY)
    extra.setdefault("onset_date", dt.date(2022, 3, 10))
    return create_case(w.incident, person=person, reported_at=reported or local(11, 9), **extra)
