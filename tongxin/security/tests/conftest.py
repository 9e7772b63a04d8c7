"""A small county: a unit responsible for 阳光小区 with one resident, one resident outside."""

from dataclasses import dataclass
from typing import Any

import pytest
from django.test import Client

from tongxin.accounts.models import Role, User
from tongxin.core.idnumbers import check_char
from tongxin.factories import PersonFactory, UnitFactory, UserFactory, assign, household
from tongxin.people.models import Person
from tongxin.places.models import Place
from tongxin.units.models import Unit

INSIDE_ID = "33082419800512123" + check_char("33082419800512123")
INSIDE_PHONE = "13812345678"
OUTSIDE_ID = "33082419900101456" + check_char("33082419900101456")
OUTSIDE_PHONE = "13987654321"
RAW_VALUES = (INSIDE_ID, INSIDE_PHONE, OUTSIDE_ID, OUTSIDE_PHONE)


@dataclass
class County:
    inside_estate: Place
    outside_estate: Place
    unit: Unit
    other_unit: Unit
    inside: Person
    outside: Person
    users: dict[str, User]


@pytest.fixture
def county(db: Any) -> County:
    inside_home = household("阳光小区", "3", "301")
    outside_home = household("幸福小区", "1", "102", community="西门社区")
    inside_estate = Place.objects.get(inside_home.ancestors_q(), kind="estate")
    outside_estate = Place.objects.get(outside_home.ancestors_q(), kind="estate")
    unit = UnitFactory(name="县水利局")
    other_unit = UnitFactory(name="县林业局")
    assign(unit, inside_estate)
    assign(other_unit, outside_estate)
    users = {
        role.value: UserFactory(
            username=role.value, role=role, unit=unit if role in UNIT_ROLES else None
        )
        for role in Role
    }
    users["other_unit_leader"] = UserFactory(
        username="other_leader", role=Role.UNIT_LEADER, unit=other_unit
    )
    return County(
        inside_estate=inside_estate,
        outside_estate=outside_estate,
        unit=unit,
        other_unit=other_unit,
        inside=PersonFactory(
            name="张三", household=inside_home, document_number=INSIDE_ID, phone=INSIDE_PHONE
        ),
        outside=PersonFactory(
            name="李四", household=outside_home, document_number=OUTSIDE_ID, phone=OUTSIDE_PHONE
        ),
        users=users,
    )


UNIT_ROLES = {Role.UNIT_LEADER, Role.GRID_STAFF, Role.TEST_POINT, Role.SUPPORT_TEAM}


def client_for(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client
