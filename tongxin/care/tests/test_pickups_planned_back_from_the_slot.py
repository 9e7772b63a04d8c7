"""Pick-up times are planned backwards from each patient's hospital slot with the drive time:
nobody is fetched at 06:10 for a 12:30 slot."""

import datetime as dt
from typing import Any

import pytest

from tongxin.care.models import Hospital, RunPassenger
from tongxin.care.services import runs, slots
from tongxin.incidents.models import Incident
from tongxin.zones.services import designate_zone

from .conftest import MONDAY, START, County, dialysis, resident

pytestmark = pytest.mark.django_db


def boarding(run: Any) -> dict[str, dt.time | None]:
    return {
        p.person.name: p.boarding_time
        for p in RunPassenger.objects.filter(run=run).select_related("person", "stop")
    }


def test_a_late_slot_is_fetched_for_its_own_time(
    county: County, hospital: Hospital, incident: Incident, settings: Any
) -> None:
    settings.TONGXIN_GREEN_RUN_LEAD_MINUTES = 60  # drive and check-in
    settings.TONGXIN_GREEN_RUN_STOP_MINUTES = 10
    slots.add_slot(hospital, MONDAY, dt.time(7, 10), dt.time(11), "血透A区早班", 10)
    slots.add_slot(hospital, MONDAY, dt.time(12, 30), dt.time(16), "血透A区午班", 10)
    dialysis(resident(county.sunny_101, "早班甲"), hospital, "1", dt.time(7, 10))
    dialysis(resident(county.happy_101, "早班乙"), hospital, "1", dt.time(7, 10))
    late_door = resident(county.sunny_201, "午班封控")
    dialysis(late_door, hospital, "1", dt.time(12, 30))
    dialysis(resident(county.sunny_101, "午班同站"), hospital, "1", dt.time(12, 30))
    designate_zone(county.sunny_201.parent, "sealed", incident, at=START, reason="楼内阳性")

    (run,) = runs.plan_runs(MONDAY).runs
    times = boarding(run)
    # The early trip: two stops, the last one an hour before 07:10.
    assert times["早班甲"] == dt.time(6, 0)
    assert times["早班乙"] == dt.time(6, 10)
    assert run.departs_at == dt.time(6, 0)
    # The 12:30 patients: the stop ten minutes before the door, the door an hour before 12:30.
    assert times["午班同站"] == dt.time(11, 20)
    assert times["午班封控"] == dt.time(11, 30)


def test_one_slot_keeps_the_simple_plan(
    county: County, hospital: Hospital, incident: Incident
) -> None:
    slots.add_slot(hospital, MONDAY, dt.time(8), dt.time(12), "血透绿色通道A区", 10)
    dialysis(resident(county.sunny_101, "甲"), hospital, "135")
    dialysis(resident(county.sunny_201, "乙"), hospital, "135")
    (run,) = runs.plan_runs(MONDAY).runs
    assert run.departs_at == dt.time(7, 0)
    assert set(boarding(run).values()) == {dt.time(7, 0)}
