"""The hospitals' separate green-channel slots and booking passengers into them.

A slot's `booked` counter changes only through conditional UPDATEs ("add one if below
capacity"), so two planners booking the last place at once cannot both succeed, on SQLite or
PostgreSQL alike, and a check constraint backs the rule in the database.
"""

import datetime as dt
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import F, QuerySet
from django.utils.translation import gettext as _

from tongxin.audit.models import AuditAction
from tongxin.audit.services import record
from tongxin.care.models import Hospital, HospitalSlot, RunPassenger
from tongxin.care.services.access import can_manage_slots
from tongxin.care.services.registry import CareError, NotAllowed


class SlotFull(CareError):
    pass


def _require(user: Any) -> None:
    if user is not None and not can_manage_slots(user):
        raise NotAllowed(_("只有指挥部和转运组可以维护医院绿色通道时段"))


def add_slot(
    hospital: Hospital,
    date: dt.date,
    starts_at: dt.time,
    ends_at: dt.time,
    area: str,
    capacity: int,
    *,
    user: Any = None,
) -> HospitalSlot:
    """Open a time window in a separate area of the hospital (user None: system/demo)."""
    _require(user)
    area = (area or "").strip()
    if not area:
        raise CareError(_("请填写区域"))
    if ends_at <= starts_at:
        raise CareError(_("结束时间须晚于开始时间"))
    if capacity < 1:
        raise CareError(_("容量至少为 1"))
    try:
        with transaction.atomic():
            return HospitalSlot.objects.create(
                hospital=hospital, date=date, starts_at=starts_at, ends_at=ends_at,
                area=area, capacity=capacity,
            )  # fmt: skip
    except IntegrityError as exc:
        raise CareError(_("该时段和区域已存在")) from exc


def set_capacity(slot: HospitalSlot, capacity: int, *, user: Any = None) -> HospitalSlot:
    """Change a slot's capacity; never below what is already booked."""
    _require(user)
    if capacity < 1:
        raise CareError(_("容量至少为 1"))
    before = slot.capacity
    with transaction.atomic():
        changed = HospitalSlot.objects.filter(pk=slot.pk, booked__lte=capacity).update(
            capacity=capacity
        )
        slot.refresh_from_db()
        if not changed:
            raise CareError(_("已有 %(n)s 人预约，容量不能少于已预约人数") % {"n": slot.booked})
        record(AuditAction.UPDATE, slot, changes={"capacity": [before, capacity]})
    return slot


def slots_on(hospital: Hospital, date: dt.date) -> QuerySet[HospitalSlot]:
    return HospitalSlot.objects.filter(hospital=hospital, date=date).order_by("starts_at", "area")


def _take(slot_id: int) -> bool:
    return bool(
        HospitalSlot.objects.filter(pk=slot_id, booked__lt=F("capacity")).update(
            booked=F("booked") + 1
        )
    )


def _give_back(slot_id: int) -> None:
    HospitalSlot.objects.filter(pk=slot_id, booked__gt=0).update(booked=F("booked") - 1)


def book(passenger: RunPassenger, slot: HospitalSlot) -> RunPassenger:
    """Book a passenger into a slot of their run's hospital and date, releasing any other.

    Raises SlotFull when no place is left. The passenger's own row changes only if it still
    holds the slot we read, so two planners moving the same passenger cannot book it twice.
    """
    run = passenger.run
    if slot.hospital_id != run.hospital_id or slot.date != run.date:
        raise CareError(_("只能预约本车次医院当天的时段"))
    old = passenger.slot_id
    if old == slot.pk:
        return passenger
    with transaction.atomic():
        if not _take(slot.pk):
            raise SlotFull(_("%(slot)s 已约满（%(n)s 人）") % {"slot": slot, "n": slot.capacity})
        moved = RunPassenger.objects.filter(pk=passenger.pk, slot_id=old).update(slot=slot)
        if not moved:
            raise CareError(_("该乘客的预约刚刚已被他人修改，请刷新后再试"))
        if old is not None:
            _give_back(old)
        record(
            AuditAction.UPDATE,
            passenger,
            changes={"slot": [old, slot.pk]},
        )
    passenger.slot = slot
    return passenger


def release(passenger: RunPassenger) -> None:
    """Give the passenger's place back (they left the manifest or were moved)."""
    old = passenger.slot_id
    if old is None:
        return
    with transaction.atomic():
        if RunPassenger.objects.filter(pk=passenger.pk, slot_id=old).update(slot=None):
            _give_back(old)
    passenger.slot = None


def best_slot(
    hospital: Hospital, date: dt.date, session_time: dt.time | None
) -> list[HospitalSlot]:
    """Slots with room, the one holding the patient's usual session time first."""
    slots = [s for s in slots_on(hospital, date) if s.booked < s.capacity]
    if session_time is None:
        return slots

    def distance(slot: HospitalSlot) -> tuple[int, int]:
        inside = slot.starts_at <= session_time < slot.ends_at
        start = slot.starts_at.hour * 60 + slot.starts_at.minute
        wanted = session_time.hour * 60 + session_time.minute
        return (0 if inside else 1, abs(start - wanted))

    return sorted(slots, key=distance)


def book_best(passenger: RunPassenger) -> bool:
    """Book the best slot with room; False when the hospital has none left that day."""
    run = passenger.run
    for slot in best_slot(run.hospital, run.date, passenger.need.session_time):
        try:
            book(passenger, slot)
            return True
        except SlotFull:
            continue  # taken meanwhile: try the next one
    return False
