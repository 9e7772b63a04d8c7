import datetime as dt
from dataclasses import dataclass

import pytest

from tongxin.accounts.models import Role, User
from tongxin.factories import UserFactory, household
from tongxin.incidents.models import Incident, PolicyEdition
from tongxin.incidents.services import load_policy_editions, open_incident
from tongxin.places.models import Place

# 2022-03-05 20:00 in the county (Asia/Shanghai), when the report's first night began.
START = dt.datetime(2022, 3, 5, 12, 0, tzinfo=dt.UTC)


def local(day: int, hour: int = 0, minute: int = 0) -> dt.datetime:
    """An aware datetime in the county's time zone (UTC+8): `day` of March 2022, counting on
    into April (day 35 is 4 April)."""
    march_1 = dt.datetime(2022, 3, 1, tzinfo=dt.timezone(dt.timedelta(hours=8)))
    return march_1 + dt.timedelta(days=day - 1, hours=hour, minutes=minute)


@dataclass
class Town:
    """Two estates in one community: 阳光小区 (buildings 1-3) and 幸福小区 (building 1)."""

    township: Place
    community: Place
    sunny: Place
    happy: Place
    b1: Place
    b2: Place
    b3: Place
    h101: Place  # sunny 1幢101
    h201: Place  # sunny 2幢201
    h_happy: Place  # happy 1幢101


@pytest.fixture
def town() -> Town:
    h101 = household("阳光小区", "1", "101")
    h201 = household("阳光小区", "2", "201")
    h301 = household("阳光小区", "3", "301")
    h_happy = household("幸福小区", "1", "101")
    sunny = h101.parent.parent
    return Town(
        township=sunny.parent.parent,
        community=sunny.parent,
        sunny=sunny,
        happy=h_happy.parent.parent,
        b1=h101.parent,
        b2=h201.parent,
        b3=h301.parent,
        h101=h101,
        h201=h201,
        h_happy=h_happy,
    )


@pytest.fixture
def np8() -> PolicyEdition:
    # Loaded again because a transactional test's flush removes the migration-loaded rows.
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
