"""Never two people in a one-person room: the database refuses it, whoever writes, and two
allocations at once for the last free room place exactly one person (PostgreSQL)."""

import threading

import pytest
from django.db import IntegrityError, connection, transaction

from tongxin.factories import household
from tongxin.isolation import factories as f
from tongxin.isolation.models import Room, RoomType, Stay, StayStatus
from tongxin.isolation.services import IsolationError, allocation
from tongxin.isolation.services import batches as b


def _one_room_site(staff):
    return f.site_with_rooms("单间隔离点", floors=(2,), per_floor=1, lead=staff)


def _batch(inc, chief, site, name):
    entry = f.listed(inc, f.resident(household(name, "1", "1")))
    return b.create_batch(
        chief, inc, site, [entry], vehicle_plate="浙H1", seats=5, planned_at=f.START
    )


@pytest.mark.django_db
def test_the_database_refuses_a_second_person_in_a_single_room(inc, chief, site_staff):
    site = _one_room_site(site_staff)
    first = _batch(inc, chief, site, "甲")
    allocation.allocate_batch(chief, first)
    room = Room.objects.get(site=site)
    second = _batch(inc, chief, site, "乙")
    member = second.members.get()
    with pytest.raises(IntegrityError), transaction.atomic():
        Stay.objects.create(
            incident=inc, entry=member.entry, member=member, site=site, room=room,
            room_type=RoomType.SINGLE, bed=2, in_room=True, level="close",
            status=StayStatus.ALLOCATED,
        )  # fmt: skip


@pytest.mark.django_db
def test_a_write_past_the_lock_is_still_refused(inc, chief, site_staff, monkeypatch):
    site = _one_room_site(site_staff)
    first = _batch(inc, chief, site, "甲")
    second = _batch(inc, chief, site, "乙")
    allocation.allocate_batch(chief, first)
    # As if the second allocation had read the room as free before the first wrote.
    real_rooms = allocation._Rooms

    class Stale(real_rooms):  # type: ignore[misc,valid-type]
        def free_rooms(self, s):
            return list(Room.objects.filter(site=s))

    monkeypatch.setattr(allocation, "_Rooms", Stale)
    with pytest.raises(IsolationError, match="刚被他人分配"):
        allocation.allocate_batch(chief, second)
    assert Stay.objects.filter(room__site=site, in_room=True).count() == 1


@pytest.mark.django_db(transaction=True)
def test_two_allocations_at_once_place_one_person(site_staff):
    if connection.vendor == "sqlite":
        pytest.skip("needs a database that lets two connections wait on each other (PostgreSQL)")
    inc = f.incident("np-8")
    chief = f.planner()
    site = _one_room_site(site_staff)
    batches = [_batch(inc, chief, site, "甲"), _batch(inc, chief, site, "乙")]
    barrier = threading.Barrier(2)
    placed: list[bool] = []
    errors: list[BaseException] = []

    def allocate(batch):
        try:
            barrier.wait(timeout=60)  # generous: the machine may be busy
            [p] = allocation.allocate_batch(chief, batch)
            placed.append(p.room is not None)
        except BaseException as exc:  # reported below, not lost in the thread
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=allocate, args=(x,)) for x in batches]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    assert errors == []
    assert sorted(placed) == [False, True]
    assert Stay.objects.filter(room__site=site, in_room=True).count() == 1
