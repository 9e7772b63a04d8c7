import datetime as dt
from dataclasses import dataclass, field
from typing import Any

import pytest
from django.core.cache import cache

from tongxin.accounts.models import Role
from tongxin.command.factories import local
from tongxin.factories import (
    PersonFactory,
    UnitFactory,
    UserFactory,
    assign,
    household,
    make_id_number,
)
from tongxin.incidents.models import Incident, PolicyEdition
from tongxin.incidents.services import load_policy_editions, open_incident
from tongxin.places.models import Place, PlaceKind

PASSWORD = "pass-word-123"
# The demo values a report file must never carry (see test_no_personal_data_in_reports).
ID_NUMBER = make_id_number(birth="19850315")
PHONE = "13912345678"
NAME = "陈阿婆"


@dataclass
class World:
    county: Place
    sunshine: Place  # 阳光小区 (芹阳办事处), unit A's
    happiness: Place  # 幸福小区, same township, nobody's
    huabu: Place  # 华埠小区 (华埠镇), unit B's
    homes: dict[str, Place]
    incident: Incident
    users: dict[str, Any] = field(default_factory=dict)


@pytest.fixture(autouse=True)
def _fresh_cache() -> None:
    cache.clear()


@pytest.fixture
def world(db: Any, settings: Any) -> World:
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.TIME_ZONE = "Asia/Shanghai"
    load_policy_editions()  # a live-server test flushes what the migrations loaded
    homes = {
        "sun": household("阳光小区", "1", "101"),
        "sun2": household("阳光小区", "2", "201"),
        "happy": household("幸福小区", "1", "101"),
        "huabu": household("华埠小区", "3", "301", township="华埠镇", community="华民社区"),
    }
    PersonFactory(name=NAME, household=homes["sun"], phone=PHONE, document_number=ID_NUMBER)
    PersonFactory(household=homes["sun2"])
    PersonFactory(household=homes["huabu"])
    estate = lambda name: Place.objects.get(kind=PlaceKind.ESTATE, name=name)  # noqa: E731
    incident = open_incident(
        "2022-03 开化疫情", PolicyEdition.objects.get(code="np-8"), local(6, 21)
    )
    w = World(
        county=Place.objects.get(depth=1),
        sunshine=estate("阳光小区"),
        happiness=estate("幸福小区"),
        huabu=estate("华埠小区"),
        homes=homes,
        incident=incident,
    )
    unit_a = UnitFactory(name="县水利局")
    unit_b = UnitFactory(name="县卫健局")
    assign(unit_a, w.sunshine)
    assign(unit_b, w.huabu)
    w.users = {
        "command": UserFactory(username="command", role=Role.COMMAND_POST, full_name="指挥长"),
        "deputy": UserFactory(username="deputy", role=Role.COMMAND_POST, full_name="副指挥长"),
        "leader": UserFactory(username="leader", role=Role.UNIT_LEADER, unit=unit_a),
        "grid": UserFactory(username="grid", role=Role.GRID_STAFF, unit=unit_a),
        "helpdesk": UserFactory(username="desk", role=Role.HELPDESK),
    }
    for user in w.users.values():
        user.set_password(PASSWORD)
        user.save()
    return w


def moment(day: int, hour: int = 12) -> dt.datetime:
    return local(day, hour)
