import datetime as dt
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from django.core.cache import cache
from django.test import TestCase

from tongxin.accounts.models import Role, User
from tongxin.factories import PersonFactory, UnitFactory, UserFactory, assign, household
from tongxin.helpdesk.models import Channel, HelpRequest
from tongxin.helpdesk.services.intake import Intake, receive
from tongxin.incidents.models import Incident, PolicyEdition
from tongxin.incidents.services import open_incident
from tongxin.people.models import Person
from tongxin.places.models import Place
from tongxin.units.models import BuildingAssignment, Unit, UnitKind

# 2022-03-06 20:00 in the county (UTC+8): the evening the help platform opened.
T0 = dt.datetime(2022, 3, 6, 12, 0, tzinfo=dt.UTC)
PHONE = "13800138000"


@pytest.fixture(autouse=True)
def _sms_outbox_in_tmp(settings: Any, tmp_path: Path) -> None:
    settings.TONGXIN_SMS_BACKEND = "tongxin.notifications.sms.FileSmsBackend"
    settings.TONGXIN_SMS_FILE = str(tmp_path / "sms-outbox.jsonl")
    settings.TONGXIN_SITE_URL = "https://tongxin.example.cn"
    # The public pages refuse forms sent back faster than a person could fill them in.
    settings.TONGXIN_HELPDESK_MIN_FILL_SECONDS = 0
    cache.clear()


def sms_sent(settings: Any) -> list[dict[str, Any]]:
    path = Path(settings.TONGXIN_SMS_FILE)
    if not path.exists():
        return []
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


@dataclass
class Team:
    unit: Unit
    lead: User
    a: User
    b: User


@dataclass
class Town:
    """阳光小区 (the water bureau's estate) with a resident at 1幢1单元101, and 幸福小区 (the
    education bureau's)."""

    h101: Place
    h102: Place
    estate: Place
    other_household: Place
    resident: Person
    water: Unit
    water_leader: User
    water_grid: User
    cadre: User
    education: Unit
    education_leader: User


@pytest.fixture
def incident() -> Incident:
    return open_incident("2022-03 开化疫情", PolicyEdition.objects.get(code="np-8"), T0)


@pytest.fixture
def desk() -> User:
    unit = UnitFactory(name="县战疫求助平台", kind=UnitKind.OTHER)
    return UserFactory(role=Role.HELPDESK, unit=unit, full_name="值守员")


@pytest.fixture
def chief() -> User:
    unit = UnitFactory(name="县疫情防控指挥部", kind=UnitKind.OTHER)
    return UserFactory(role=Role.COMMAND_POST, unit=unit, full_name="指挥长", phone="13900139000")


@pytest.fixture
def supplies() -> Team:
    unit = UnitFactory(name="县物资保障组", kind=UnitKind.SUPPORT)
    return Team(
        unit=unit,
        lead=UserFactory(
            role=Role.UNIT_LEADER, unit=unit, full_name="物资组长", phone="13700137000"
        ),
        a=UserFactory(role=Role.SUPPORT_TEAM, unit=unit, full_name="张队员"),
        b=UserFactory(role=Role.SUPPORT_TEAM, unit=unit, full_name="李队员"),
    )


@pytest.fixture
def medical() -> Team:
    unit = UnitFactory(name="县医疗保障组", kind=UnitKind.SUPPORT)
    return Team(
        unit=unit,
        lead=UserFactory(role=Role.UNIT_LEADER, unit=unit, full_name="医疗组长"),
        a=UserFactory(role=Role.SUPPORT_TEAM, unit=unit, full_name="王医生"),
        b=UserFactory(role=Role.SUPPORT_TEAM, unit=unit, full_name="赵护士"),
    )


@pytest.fixture
def town() -> Town:
    h101 = household("阳光小区", "1", "101", stairwell="1")
    h102 = household("阳光小区", "1", "102", stairwell="1")
    estate = h101.parent.parent.parent
    other = household("幸福小区", "2", "201")
    water = UnitFactory(name="县水利局")
    assign(water, estate)
    education = UnitFactory(name="县教育局")
    assign(education, other.parent.parent)
    cadre = UserFactory(role=Role.GRID_STAFF, unit=water, full_name="包楼干部", phone="13600136000")
    BuildingAssignment.objects.create(user=cadre, place=h101.parent.parent)
    resident = PersonFactory(name="陈阿婆", phone=PHONE, household=h101)
    return Town(
        h101=h101,
        h102=h102,
        estate=estate,
        other_household=other,
        resident=resident,
        water=water,
        water_leader=UserFactory(role=Role.UNIT_LEADER, unit=water, full_name="水利局长"),
        water_grid=cadre,
        cadre=cadre,
        education=education,
        education_leader=UserFactory(role=Role.UNIT_LEADER, unit=education),
    )


def ask(
    text: str = "家里没菜了，需要买菜",
    phone: str = "13912345678",
    *,
    at: dt.datetime = T0,
    by: Any = None,
    **fields: Any,
) -> HelpRequest:
    """A request taken in at `at` (by the public page unless a channel is given)."""
    fields.setdefault("channel", Channel.WEB)
    # The SMS goes out when the intake commits; inside a test's transaction that is now.
    with TestCase.captureOnCommitCallbacks(execute=True):
        return receive(Intake(text=text, phone=phone, **fields), by=by, now=at).request
