"""The hospital's separate green-channel slots never take more patients than they hold."""

import datetime as dt

import pytest
from django.db import IntegrityError, transaction

from tongxin.accounts.models import Role
from tongxin.care.models import Hospital, HospitalSlot, RunPassenger
from tongxin.care.services import runs, slots
from tongxin.care.services.registry import CareError, NotAllowed
from tongxin.factories import UserFactory

from .conftest import MONDAY, County, dialysis, resident

pytestmark = pytest.mark.django_db


def test_a_full_slot_sends_the_next_patient_to_another_and_then_to_none(
    county: County, hospital: Hospital
) -> None:
    early = slots.add_slot(hospital, MONDAY, dt.time(7), dt.time(11), "血透A区", 2)
    late = slots.add_slot(hospital, MONDAY, dt.time(13), dt.time(17), "血透B区", 1)
    for i, place in enumerate(
        [county.sunny_101, county.sunny_201, county.happy_101, county.river_101]
    ):
        dialysis(resident(place, f"病人{i}"), hospital, "1", dt.time(8))

    result = runs.plan_runs(MONDAY)

    early.refresh_from_db()
    late.refresh_from_db()
    assert (early.booked, late.booked) == (2, 1)
    assert result.unbooked == 1
    assert RunPassenger.objects.filter(slot=early).count() == 2
    assert RunPassenger.objects.filter(slot__isnull=True).count() == 1


def test_two_planners_booking_the_last_place_cannot_both_succeed(
    county: County, hospital: Hospital
) -> None:
    dialysis(resident(county.sunny_101, "甲"), hospital, "1")
    dialysis(resident(county.sunny_201, "乙"), hospital, "1")
    runs.plan_runs(MONDAY)  # no slots yet: both unbooked
    slot = slots.add_slot(hospital, MONDAY, dt.time(7), dt.time(11), "血透A区", 1)
    a, b = RunPassenger.objects.select_related("run").order_by("id")
    # Both planners loaded the slot while it still showed a free place.
    seen_by_second = HospitalSlot.objects.get(pk=slot.pk)

    slots.book(a, slot)
    with pytest.raises(slots.SlotFull):
        slots.book(b, seen_by_second)

    slot.refresh_from_db()
    assert slot.booked == 1
    assert list(RunPassenger.objects.filter(slot=slot)) == [a]
    # The database refuses an over-booking written past the service, too.
    with pytest.raises(IntegrityError), transaction.atomic():
        HospitalSlot.objects.filter(pk=slot.pk).update(booked=2)


def test_moving_a_passenger_frees_the_old_place_and_capacity_stays_above_bookings(
    county: County, hospital: Hospital
) -> None:
    dialysis(resident(county.sunny_101, "甲"), hospital, "1")
    dialysis(resident(county.sunny_201, "乙"), hospital, "1")
    first = slots.add_slot(hospital, MONDAY, dt.time(7), dt.time(11), "A区", 3)
    second = slots.add_slot(hospital, MONDAY, dt.time(13), dt.time(17), "B区", 3)
    runs.plan_runs(MONDAY)
    a, b = RunPassenger.objects.select_related("run").order_by("id")
    assert a.slot == b.slot == first

    slots.book(a, second)
    first.refresh_from_db()
    second.refresh_from_db()
    assert (first.booked, second.booked) == (1, 1)

    chief = UserFactory(role=Role.COMMAND_POST)
    slots.book(b, second)
    with pytest.raises(CareError, match="不能少于已预约人数"):
        slots.set_capacity(second, 1, user=chief)
    assert slots.set_capacity(second, 2, user=chief).capacity == 2
    grid = UserFactory(role=Role.GRID_STAFF)
    with pytest.raises(NotAllowed):
        slots.set_capacity(second, 5, user=grid)
    with pytest.raises(CareError):
        slots.add_slot(hospital, MONDAY, dt.time(7), dt.time(11), "A区", 3)  # same window


def test_slots_of_another_hospital_or_day_are_refused(county: County, hospital: Hospital) -> None:
    other = Hospital.objects.create(name="市中心医院")
    dialysis(resident(county.sunny_101, "甲"), hospital, "1")
    runs.plan_runs(MONDAY)
    p = RunPassenger.objects.select_related("run").get()
    wrong_hospital = slots.add_slot(other, MONDAY, dt.time(7), dt.time(11), "A区", 3)
    wrong_day = slots.add_slot(
        hospital, MONDAY + dt.timedelta(days=1), dt.time(7), dt.time(11), "A区", 3
    )
    for slot in (wrong_hospital, wrong_day):
        with pytest.raises(CareError):
            slots.book(p, slot)
    assert HospitalSlot.objects.filter(booked__gt=0).count() == 0
