"""A small county in mid-round for the sampling tests.

阳光小区 (县水利局's, buildings 1–2) and 幸福小区 (nobody's) in one community, 华埠小区 (县卫健局's)
in another township; a round over all three on policy edition np-8, one point in 阳光小区 and
one in 华埠小区. The sampler's team is assigned the whole county town (芹阳办事处).
"""

import datetime as dt
import uuid
from dataclasses import dataclass, field
from typing import Any

import pytest

from tongxin.accounts.models import Role, User
from tongxin.factories import PersonFactory, UnitFactory, UserFactory, assign, household
from tongxin.incidents.models import Incident, PolicyEdition
from tongxin.incidents.services import load_policy_editions, open_incident
from tongxin.people.models import Person
from tongxin.places.models import Place
from tongxin.testing.models import RoundStatus, TestPoint, TestRound
from tongxin.testing.services.rounds import attach_point, create_point, create_round, set_status
from tongxin.units.models import UnitAssignment

CST = dt.timezone(dt.timedelta(hours=8))
START = dt.datetime(2022, 3, 5, 20, 0, tzinfo=CST)
PASSWORD = "pass-word-123"


def local(day: int, hour: int = 0, minute: int = 0) -> dt.datetime:
    return dt.datetime(2022, 3, day, hour, minute, tzinfo=CST)


@dataclass
class World:
    incident: Incident
    round: TestRound
    county: Place
    sunny: Place
    happy: Place
    huabu: Place
    homes: dict[str, Place]
    people: dict[str, list[Person]]
    point: TestPoint  # 阳光小区's point
    huabu_point: TestPoint
    users: dict[str, User] = field(default_factory=dict)

    def all_people(self) -> list[Person]:
        return [p for group in self.people.values() for p in group]


@pytest.fixture
def world(db: Any) -> World:
    load_policy_editions()
    edition = PolicyEdition.objects.get(code="np-8")
    incident = open_incident("2022-03 开化疫情", edition, START)
    homes = {
        "s1-101": household("阳光小区", "1", "101"),
        "s1-102": household("阳光小区", "1", "102"),
        "s2-201": household("阳光小区", "2", "201"),
        "h1-101": household("幸福小区", "1", "101"),
        "hb3-301": household("华埠小区", "3", "301", township="华埠镇", community="华民社区"),
    }
    people = {
        "s1-101": [PersonFactory(name=n, household=homes["s1-101"]) for n in ("张三", "李梅")],
        "s1-102": [PersonFactory(name=n, household=homes["s1-102"]) for n in ("王五", "王小五")],
        "s2-201": [PersonFactory(name="赵六", household=homes["s2-201"])],
        "h1-101": [PersonFactory(name="钱七", household=homes["h1-101"])],
        "hb3-301": [PersonFactory(name=n, household=homes["hb3-301"]) for n in ("孙八", "周九")],
    }
    sunny = homes["s1-101"].parent.parent
    happy = homes["h1-101"].parent.parent
    huabu = homes["hb3-301"].parent.parent
    county = Place.objects.get(depth=1)
    chief = UserFactory(username="command", role=Role.COMMAND_POST, full_name="指挥长")
    test_round = create_round(
        incident, "第一轮全员核酸", local(6, 7), local(6, 19), [sunny, happy, huabu], by=chief
    )
    set_status(test_round, RoundStatus.ACTIVE)
    point = create_point("阳光小区东门采样点", sunny, dt.time(7), dt.time(19), 2)
    attach_point(test_round, point, serves=[sunny, happy])
    huabu_point = create_point("华埠小区采样点", huabu, dt.time(7), dt.time(19), 1)
    attach_point(test_round, huabu_point, serves=[huabu])

    water = UnitFactory(name="县水利局")
    health = UnitFactory(name="县卫健局")
    medical = UnitFactory(name="县人民医院采样队")
    assign(water, sunny)
    assign(health, huabu)
    assign(medical, sunny.parent.parent)  # the county town
    # The grid was handed out before the outbreak the tests replay.
    UnitAssignment.objects.update(starts_on=dt.date(2022, 1, 1))
    w = World(
        incident=incident, round=test_round, county=county, sunny=sunny, happy=happy,
        huabu=huabu, homes=homes, people=people, point=point, huabu_point=huabu_point,
    )  # fmt: skip
    w.users = {
        "command": chief,
        "sampler": UserFactory(username="sampler", role=Role.TEST_POINT, unit=medical),
        "lab": UserFactory(username="lab", role=Role.LAB_LIAISON, full_name="化验员"),
        "leader": UserFactory(username="leader", role=Role.UNIT_LEADER, unit=water),
        "grid": UserFactory(username="grid", role=Role.GRID_STAFF, unit=water),
        "leader_b": UserFactory(username="leader_b", role=Role.UNIT_LEADER, unit=health),
        "investigator": UserFactory(username="investigator", role=Role.INVESTIGATOR),
    }
    return w


def event(
    person: Person | None = None,
    tube: str = "T0001",
    *,
    at: dt.datetime | None = None,
    **extra: Any,
) -> dict[str, Any]:
    """One sample event as a device sends it (the ID number read from the card)."""
    item: dict[str, Any] = {
        "id": str(uuid.uuid4()),
        "tube": tube,
        "sampled_at": (at or local(6, 8)).isoformat(),
    }
    if person is not None:
        item["document_number"] = person.document_number
    item.update(extra)
    return item


@pytest.fixture
def upload(world: World) -> Any:
    """upload(events, user="sampler", point=…) → BatchResult, through the service."""
    from tongxin.sampling.services.recording import record_batch

    def send(
        events: list[dict[str, Any]],
        user: str = "sampler",
        point: TestPoint | None = None,
        tube_mode: str = "pool_10",
        now: dt.datetime | None = None,
    ) -> Any:
        defaults = {
            "round": world.round.pk,
            "point": (point or world.point).pk,
            "tube_mode": tube_mode,
        }
        return record_batch(
            events, user=world.users[user], defaults=defaults, now=now or local(6, 12)
        )

    return send
