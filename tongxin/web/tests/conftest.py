"""A small county for the page tests: two townships, three estates, two responsible units."""

from dataclasses import dataclass, field
from typing import Any

import pytest
from django.test import Client

from tongxin.accounts.models import Role
from tongxin.factories import PersonFactory, UnitFactory, UserFactory, assign, household
from tongxin.people.models import Person
from tongxin.places.models import Place, PlaceKind

PASSWORD = "pass-word-123"


@dataclass
class World:
    county: Place
    sunshine: Place  # 阳光小区, unit A's estate
    happiness: Place  # 幸福小区, same community, nobody's
    huabu: Place  # 华埠小区, unit B's estate, another township
    households: dict[str, Place]
    people: dict[str, Person]
    users: dict[str, Any] = field(default_factory=dict)

    def estate(self, name: str) -> Place:
        return Place.objects.get(kind=PlaceKind.ESTATE, name=name)


@pytest.fixture
def fast_passwords(settings: Any) -> None:
    # Eight users per test with the real PBKDF2 would make these tests slow for no gain.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def world(db: Any, fast_passwords: None) -> World:
    homes = {
        "sun-1-101": household("阳光小区", "1", "101"),
        "sun-1-102": household("阳光小区", "1", "102"),
        "sun-2-1-201": household("阳光小区", "2", "201", stairwell="1"),
        "happy-1-101": household("幸福小区", "1", "101"),
        "huabu-3-301": household("华埠小区", "3", "301", township="华埠镇", community="华民社区"),
    }
    people = {
        "zhang": PersonFactory(name="张三", household=homes["sun-1-101"]),
        "zhang_wife": PersonFactory(name="李梅", household=homes["sun-1-101"]),
        "wang": PersonFactory(name="王五", household=homes["sun-1-102"]),
        "zhao": PersonFactory(name="赵六", household=homes["sun-2-1-201"]),
        "qian": PersonFactory(name="钱七", household=homes["happy-1-101"]),
        "sun": PersonFactory(name="孙八", household=homes["huabu-3-301"]),
        "zhou": PersonFactory(name="周九", household=homes["huabu-3-301"]),
    }
    w = World(
        county=Place.objects.get(depth=1),
        sunshine=Place.objects.get(kind=PlaceKind.ESTATE, name="阳光小区"),
        happiness=Place.objects.get(kind=PlaceKind.ESTATE, name="幸福小区"),
        huabu=Place.objects.get(kind=PlaceKind.ESTATE, name="华埠小区"),
        households=homes,
        people=people,
    )
    unit_a = UnitFactory(name="县水利局")
    unit_b = UnitFactory(name="县卫健局")
    assign(unit_a, w.sunshine)
    assign(unit_b, w.huabu)
    w.users = {
        "command": UserFactory(username="command", role=Role.COMMAND_POST, full_name="指挥长"),
        "leader": UserFactory(username="leader", role=Role.UNIT_LEADER, unit=unit_a),
        "grid": UserFactory(username="grid", role=Role.GRID_STAFF, unit=unit_a),
        "leader_b": UserFactory(username="leader_b", role=Role.UNIT_LEADER, unit=unit_b),
        "investigator": UserFactory(username="investigator", role=Role.INVESTIGATOR),
        "test_point": UserFactory(username="test_point", role=Role.TEST_POINT),
        "lab": UserFactory(username="lab", role=Role.LAB_LIAISON),
        "sysadmin": UserFactory(username="sysadmin", role=Role.SYSADMIN, is_staff=True),
    }
    return w


@pytest.fixture
def login(client: Client, world: World) -> Any:
    """login("leader") signs the test client in as one of the world's users and returns it."""

    def sign_in(name: str) -> Client:
        client.force_login(world.users[name])
        return client

    return sign_in
