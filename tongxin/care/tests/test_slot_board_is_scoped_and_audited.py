"""The slot board names the people booked for dialysis: it shows only the runs the user may
see, and showing them is audited like opening a manifest."""

import datetime as dt

import pytest
from django.test import Client

from tongxin.accounts.models import Role
from tongxin.audit.models import AuditEvent
from tongxin.care.models import Hospital, RunPassenger
from tongxin.care.services import runs, slots
from tongxin.factories import UnitFactory, UserFactory, assign

from .conftest import County, dialysis, resident

pytestmark = pytest.mark.django_db


def test_the_board_shows_my_riders_only_and_records_the_view(
    client: Client, county: County, hospital: Hospital
) -> None:
    day = runs.tomorrow()
    mine = resident(county.sunny_101, "甲大爷")
    far = resident(county.river_101, "乙大妈")
    for person in (mine, far):
        dialysis(person, hospital, str(day.isoweekday()))
    slot = slots.add_slot(hospital, day, dt.time(8), dt.time(12), "血透A区", 10)
    runs.plan_runs(day)
    assert RunPassenger.objects.filter(slot=slot).count() == 2
    township_unit = UnitFactory(name="芹阳办事处")
    assign(township_unit, county.qinyang)
    leader = UserFactory(role=Role.UNIT_LEADER, unit=township_unit)
    client.force_login(leader)

    body = client.get(f"/care/slots/?hospital={hospital.pk}&date={day.isoformat()}")

    text = body.content.decode()
    assert body.status_code == 200
    assert "甲大爷" in text and "乙大妈" not in text
    seen = AuditEvent.objects.get(action="view", actor=leader, target_type="care.hospital")
    assert seen.detail["people"] == [mine.pk]
