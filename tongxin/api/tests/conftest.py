"""A small county: one unit responsible for 阳光小区, a resident inside it and one outside."""

from dataclasses import dataclass
from typing import Any

import pytest
from django.test import Client

from tongxin.accounts.models import ApiToken, Role, User
from tongxin.core.idnumbers import check_char
from tongxin.factories import PersonFactory, UnitFactory, UserFactory, assign, household
from tongxin.people.models import Person
from tongxin.places.models import Place

INSIDE_ID = "33082419800512123" + check_char("33082419800512123")
INSIDE_PHONE = "13812345678"
OUTSIDE_ID = "33082419900101456" + check_char("33082419900101456")
OUTSIDE_PHONE = "13987654321"
RAW_VALUES = (INSIDE_ID, INSIDE_PHONE, OUTSIDE_ID, OUTSIDE_PHONE)


@dataclass
class County:
    inside_home: Place
    outside_home: Place
    inside_estate: Place
    outside_estate: Place
    inside: Person
    outside: Person
    unit_user: User
    command_post: User


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings: Any) -> None:
    # The factories set passwords; the production hasher costs half a second per user.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def county(db: Any) -> County:
    inside_home = household("阳光小区", "3", "301")
    outside_home = household("幸福小区", "1", "102", community="西门社区")
    inside_estate = Place.objects.get(inside_home.ancestors_q(), kind="estate")
    outside_estate = Place.objects.get(outside_home.ancestors_q(), kind="estate")
    unit = UnitFactory(name="县水利局")
    assign(unit, inside_estate)
    return County(
        inside_home=inside_home,
        outside_home=outside_home,
        inside_estate=inside_estate,
        outside_estate=outside_estate,
        inside=PersonFactory(
            name="张三",
            household=inside_home,
            document_number=INSIDE_ID,
            phone=INSIDE_PHONE,
        ),
        outside=PersonFactory(
            name="李四",
            household=outside_home,
            document_number=OUTSIDE_ID,
            phone=OUTSIDE_PHONE,
        ),
        unit_user=UserFactory(username="waterleader", role=Role.UNIT_LEADER, unit=unit),
        command_post=UserFactory(username="commander", role=Role.COMMAND_POST),
    )


def token_client(user: User) -> Client:
    """A client that authenticates like a machine: a bearer token, no session, no CSRF."""
    _, key = ApiToken.issue(user, "tests")
    return Client(HTTP_AUTHORIZATION=f"Bearer {key}")


@pytest.fixture
def unit_api(county: County) -> Client:
    return token_client(county.unit_user)


@pytest.fixture
def command_api(county: County) -> Client:
    return token_client(county.command_post)
