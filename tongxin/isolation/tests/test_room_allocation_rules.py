"""Allocation: one person per room; 密接 and 次密接 never share a room or a floor; accessible
rooms go first to those who need them; a household shares only where the edition allows;
a manual override follows the same rules."""

import pytest

from tongxin.factories import household
from tongxin.isolation import factories as f
from tongxin.isolation.models import Room, RoomStatus, RoomType, Stay
from tongxin.isolation.services import IsolationError
from tongxin.isolation.services import batches as b
from tongxin.isolation.services.allocation import allocate_batch, assign_room

pytestmark = pytest.mark.django_db


def _batch(inc, chief, site, entries, seats=60):
    return b.create_batch(
        chief, inc, site, entries, vehicle_plate="浙H1", seats=seats, planned_at=f.START
    )


def _floors(batch):
    by_level: dict[str, set[int]] = {}
    for stay in Stay.objects.filter(member__batch=batch, in_room=True).select_related("room"):
        by_level.setdefault(stay.level, set()).add(stay.room.floor)
    return by_level


def test_one_person_per_room_and_levels_on_separate_floors(inc, chief, site):
    close = [f.listed(inc, f.resident(household("甲小区", "1", str(i))), "close") for i in range(3)]
    second = [
        f.listed(inc, f.resident(household("乙小区", "1", str(i))), "secondary") for i in range(3)
    ]
    batch = _batch(inc, chief, site, close + second)
    placements = allocate_batch(chief, batch)

    assert all(p.room for p in placements)
    rooms = [p.room for p in placements]
    assert len(set(rooms)) == len(rooms)  # one person per room
    floors = _floors(batch)
    assert floors["close"].isdisjoint(floors["secondary"])
    assert Room.objects.filter(site=site, status=RoomStatus.OCCUPIED).count() == 6
    room = Room.objects.get(site=site, number=placements[0].room)
    assert room.history.last().status == RoomStatus.OCCUPIED


def test_no_room_when_the_only_floor_left_holds_the_other_level(inc, chief, site_staff):
    site = f.site_with_rooms("小隔离点", floors=(5,), per_floor=4, lead=site_staff)
    first = _batch(inc, chief, site, [f.listed(inc, f.resident(household("甲", "1", "1")))])
    allocate_batch(chief, first)
    entry = f.listed(inc, f.resident(household("乙", "1", "1")), "secondary")
    second = _batch(inc, chief, site, [entry])
    [placement] = allocate_batch(chief, second)
    assert placement.room is None and "同层" in placement.reason

    # The manual override does not get round it either.
    free = Room.objects.filter(site=site, status=RoomStatus.FREE).first()
    with pytest.raises(IsolationError, match="同一楼层"):
        assign_room(chief, second.members.get(), free)


def test_accessible_rooms_go_first_to_who_needs_them(inc, chief, site):
    walkers = [f.listed(inc, f.resident(household("甲", "1", str(i)))) for i in range(2)]
    wheelchair = f.listed(inc, f.resident(household("甲", "2", "1")), wheelchair=True)
    batch = _batch(inc, chief, site, [*walkers, wheelchair])
    placements = {p.entry: p for p in allocate_batch(chief, batch)}
    accessible = Room.objects.get(site=site, type=RoomType.ACCESSIBLE)
    assert placements[wheelchair.pk].room == accessible.number
    assert all(placements[w.pk].room != accessible.number for w in walkers)


def test_manual_override_refuses_an_occupied_one_person_room(inc, chief, site):
    a = f.listed(inc, f.resident(household("甲", "1", "1")))
    c = f.listed(inc, f.resident(household("甲", "1", "2")))
    batch = _batch(inc, chief, site, [a, c])
    placements = allocate_batch(chief, batch)
    taken = Room.objects.get(site=site, number=placements[0].room)
    other = batch.members.get(entry_id=placements[1].entry)
    with pytest.raises(IsolationError, match="一人一间"):
        assign_room(chief, other, taken)
    # Into a free room of the same floor it goes, and the old room is free again.
    free = Room.objects.filter(site=site, status=RoomStatus.FREE, floor=taken.floor).first()
    old = Room.objects.get(site=site, number=placements[1].room)
    stay = assign_room(chief, other, free)
    assert stay.room == free
    old.refresh_from_db()
    assert old.status == RoomStatus.FREE


def test_household_shares_only_where_the_edition_allows(inc, inc9, chief, site):
    home = household("丙小区", "1", "101")
    family8 = [f.listed(inc, f.resident(home, name=f"八{i}")) for i in range(2)]
    b8 = _batch(inc, chief, site, family8[:1])  # the whole household travels together
    assert b8.members.count() == 2
    rooms8 = {p.room for p in allocate_batch(chief, b8)}
    assert len(rooms8) == 2  # 8th edition: one room each

    home9 = household("丁小区", "1", "101")
    family9 = [f.listed(inc9, f.resident(home9, name=f"九{i}")) for i in range(3)]
    b9 = _batch(inc9, chief, site, family9)
    placed9 = allocate_batch(chief, b9)
    rooms9 = {p.room for p in placed9}
    assert len(rooms9) == 1  # 9th edition: the household shares a multi-bed room
    assert Room.objects.get(site=site, number=rooms9.pop()).type == RoomType.MULTI
