import datetime as dt
from dataclasses import dataclass

import pytest

from tongxin.accounts.models import Role, User
from tongxin.factories import UnitFactory, UserFactory, household
from tongxin.incidents.models import Incident, PolicyEdition
from tongxin.incidents.services import load_policy_editions, open_incident
from tongxin.places.models import Place
from tongxin.units.models import UnitKind
from tongxin.workforce.factories import TeamFactory
from tongxin.workforce.models import Team

CN = dt.timezone(dt.timedelta(hours=8))
START = dt.datetime(2022, 3, 5, 20, 0, tzinfo=CN)


def local(day: int, hour: int = 0, minute: int = 0) -> dt.datetime:
    """`day` of March 2022 at hour:minute in the county (UTC+8)."""
    return dt.datetime(2022, 3, day, hour, minute, tzinfo=CN)


@dataclass
class Town:
    township: Place
    sunny: Place  # 阳光小区 (estate)
    b1: Place
    b2: Place
    h101: Place  # sunny 1幢101
    h201: Place  # sunny 2幢201
    happy: Place  # 幸福小区, same community
    other_township: Place
    far: Place  # an estate in another township


@pytest.fixture
def town() -> Town:
    h101 = household("阳光小区", "1", "101")
    h201 = household("阳光小区", "2", "201")
    happy = household("幸福小区", "1", "101").parent.parent
    far = household("南山村", "1", "1", township="南山镇", community="南山村委").parent.parent
    sunny = h101.parent.parent
    return Town(
        township=sunny.parent.parent, sunny=sunny, b1=h101.parent, b2=h201.parent, h101=h101,
        h201=h201, happy=happy, other_township=far.parent.parent, far=far,
    )  # fmt: skip


@pytest.fixture
def np8() -> PolicyEdition:
    # Loaded again: a transactional test's flush removes the migration-loaded rows.
    if not PolicyEdition.objects.filter(code="np-8").exists():
        load_policy_editions()
    return PolicyEdition.objects.get(code="np-8")


@pytest.fixture
def incident(np8: PolicyEdition) -> Incident:
    return open_incident("2022-03 开化疫情", np8, START)


@pytest.fixture
def chief() -> User:
    unit = UnitFactory(name="县疫情防控指挥部", kind=UnitKind.OTHER)
    return UserFactory(role=Role.COMMAND_POST, unit=unit, full_name="指挥长")


@pytest.fixture
def team(incident: Incident) -> Team:
    return TeamFactory(incident=incident, name="市一院驰援队")
