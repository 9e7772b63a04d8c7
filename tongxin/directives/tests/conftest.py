import datetime as dt
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from tongxin.accounts.models import Role, User
from tongxin.factories import UnitFactory, UserFactory, assign, household
from tongxin.incidents.models import Incident, PolicyEdition
from tongxin.incidents.services import open_incident
from tongxin.units.models import Unit

# 2022-03-05 20:00 in the county (UTC+8): the first night.
T0 = dt.datetime(2022, 3, 5, 12, 0, tzinfo=dt.UTC)


@pytest.fixture(autouse=True)
def _sms_outbox_in_tmp(settings: Any, tmp_path: Path) -> None:
    """Text messages sent by a test go to its temporary folder, never the data dir."""
    settings.TONGXIN_SMS_BACKEND = "tongxin.notifications.sms.FileSmsBackend"
    settings.TONGXIN_SMS_FILE = str(tmp_path / "sms-outbox.jsonl")


@dataclass
class Team:
    unit: Unit
    leader: User
    staff: User


def _team(name: str, estate: str) -> Team:
    unit = UnitFactory(name=name)
    h = household(estate, "1", "101")
    assign(unit, h.parent.parent)  # the estate
    return Team(
        unit=unit,
        leader=UserFactory(role=Role.UNIT_LEADER, unit=unit, phone="13800138001"),
        staff=UserFactory(role=Role.GRID_STAFF, unit=unit),
    )


@pytest.fixture
def water() -> Team:
    return _team("县水利局", "阳光小区")


@pytest.fixture
def health() -> Team:
    return _team("县卫健局", "幸福小区")


@pytest.fixture
def outsider() -> Team:
    return _team("县文旅局", "和平小区")


@pytest.fixture
def chief() -> User:
    return UserFactory(role=Role.COMMAND_POST, full_name="指挥长")


@pytest.fixture
def incident() -> Incident:
    return open_incident("2022-03 开化疫情", PolicyEdition.objects.get(code="np-8"), T0)
