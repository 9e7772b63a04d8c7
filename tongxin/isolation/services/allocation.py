"""Rooms for a batch (分配房间), automatic for the whole batch with manual override.

The rules: one person per room; a minor and their companion share a room; a household shares
a multi-bed room only where the edition allows; 密接 and 次密接 never share a room or a floor;
accessible rooms go first to those who need them. The site row is locked while a batch is
placed, so two allocations for one site take turns; and the database itself refuses a second
person in a one-person room or a bed (the Stay constraints), whoever writes.

Everything is read in a handful of queries and decided in memory: a batch of 500 is placed in
a bounded number of statements.
"""

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import Prefetch
from django.utils import timezone
from django.utils.translation import gettext as _

from tongxin.isolation.models import (
    Batch,
    BatchMember,
    Level,
    Outcome,
    Room,
    RoomStatus,
    RoomType,
    Site,
    Stay,
    StayStatus,
    TransferEntry,
)
from tongxin.isolation.services import IsolationError, NotAllowed
from tongxin.isolation.services.batches import can_receive, is_planner
from tongxin.isolation.services.rules import household_sharing
from tongxin.isolation.services.sites import set_rooms_status

# Levels that must never share a floor with each other.
SEPARATE: dict[str, str] = {Level.CLOSE: Level.SECONDARY, Level.SECONDARY: Level.CLOSE}

# Which room types a person takes first: accessible rooms last for those who do not need one.
ACCESSIBLE_FIRST: dict[str, int] = {RoomType.ACCESSIBLE: 0, RoomType.SINGLE: 1, RoomType.MULTI: 2}
SINGLE_FIRST: dict[str, int] = {RoomType.SINGLE: 0, RoomType.MULTI: 1, RoomType.ACCESSIBLE: 2}


@dataclass
class Placement:
    member: int
    entry: int
    name: str
    level: str
    room: str | None = None
    floor: int | None = None
    reason: str = ""

    def as_dict(self) -> dict[str, Any]:
        return {
            "member": self.member, "entry": self.entry, "name": self.name, "level": self.level,
            "room": self.room, "floor": self.floor, "reason": self.reason or None,
        }  # fmt: skip


def separation_level(entry: TransferEntry) -> str:
    """The level a person counts as for separation: a companion counts as their child."""
    if entry.companion_of_id and entry.companion_of is not None:
        return entry.companion_of.level
    return entry.level


class _Floors:
    """Which separated levels each floor holds, kept as rooms are handed out."""

    def __init__(self, site: Site) -> None:
        self.levels: dict[int, set[str]] = defaultdict(set)
        rows = Stay.objects.filter(site=site, in_room=True).values_list("room__floor", "level")
        for floor, level in rows:
            self.levels[floor].add(level)

    def allows(self, floor: int, level: str) -> bool:
        other = SEPARATE.get(level)
        return other is None or other not in self.levels[floor]

    def take(self, floor: int, level: str) -> None:
        self.levels[floor].add(level)


class _Rooms:
    """The site's free rooms in buckets by floor and type, so each pick looks at a few dozen
    floors rather than every room."""

    def __init__(self, site: Site) -> None:
        self.buckets: dict[tuple[int, str], list[Room]] = defaultdict(list)
        for room in self.free_rooms(site):
            self.buckets[(room.floor, room.type)].append(room)
        for rooms in self.buckets.values():
            rooms.reverse()  # pop() takes the lowest number
        self.floors = sorted({floor for floor, _type in self.buckets})

    def free_rooms(self, site: Site) -> list[Room]:
        taken = Stay.objects.filter(site=site, in_room=True).values("room_id")
        return list(
            Room.objects.filter(site=site, status=RoomStatus.FREE)
            .exclude(pk__in=taken)
            .order_by("floor", "number")
        )

    def pick(self, floors: _Floors, level: str, *, accessible: bool, beds: int = 1) -> Room | None:
        """The best free room: right kind, on a floor the level may use, preferring floors
        already holding that level (keeping floors apart for the other level)."""
        ranks = ACCESSIBLE_FIRST if accessible else SINGLE_FIRST
        order = sorted(ranks, key=ranks.__getitem__)
        best: tuple[int, str, int] | None = None  # (floor, type, index in its bucket)
        best_key: tuple[int, int, int] | None = None
        for floor in self.floors:
            if not floors.allows(floor, level):
                continue
            same = 0 if level in floors.levels[floor] else 1
            for rank, room_type in enumerate([RoomType.MULTI] if beds > 1 else order):
                rooms = self.buckets.get((floor, room_type))
                if not rooms:
                    continue
                index = len(rooms) - 1
                if beds > 1:
                    fits = [i for i, r in enumerate(rooms) if r.beds >= beds]
                    if not fits:
                        continue
                    index = fits[-1]
                key = (rank, same, floor)
                if best_key is None or key < best_key:
                    best, best_key = (floor, room_type, index), key
                break
        if best is None:
            return None
        floor, room_type, index = best
        room = self.buckets[(floor, room_type)].pop(index)
        floors.take(room.floor, level)
        return room


def _units(members: list[BatchMember], sharing: bool) -> list[list[BatchMember]]:
    """Who goes into one room: a child with their companion; a household where the edition
    allows; everyone else alone."""
    by_entry = {m.entry_id: m for m in members}
    units: list[list[BatchMember]] = []
    used: set[int] = set()
    households: dict[str, list[BatchMember]] = defaultdict(list)
    for m in members:
        if m.pk in used:
            continue
        e = m.entry
        if e.companion_of_id:
            continue  # placed with their child
        companions = [by_entry[c.pk] for c in e.companions.all() if c.pk in by_entry]  # prefetched
        if companions:
            units.append([m, *companions])
            used.update(x.pk for x in (m, *companions))
            continue
        if sharing and e.household_id:
            households[f"{e.household_id}:{separation_level(e)}"].append(m)
        else:
            units.append([m])
        used.add(m.pk)
    for group in households.values():
        units.append(group)
    # Companions whose child is not in this batch travel alone (rare: a later batch).
    for m in members:
        if m.entry.companion_of_id and m.pk not in {x.pk for u in units for x in u}:
            units.append([m])
    return units


_COMPANION_IDS = TransferEntry.objects.only("id", "companion_of_id")


def _candidates(batch: Batch) -> list[BatchMember]:
    placed = Stay.objects.filter(member__batch=batch, in_room=True).values("member_id")
    return list(
        batch.members.filter(outcome__in=[Outcome.PENDING, Outcome.BOARDED])
        .exclude(pk__in=placed)
        .select_related("entry", "entry__companion_of")
        # Only what placing needs: fewer columns to read and to snapshot for the audit trail.
        .only(
            "id", "batch_id", "entry_id", "stop", "outcome", "received_at",
            "entry__id", "entry__name", "entry__level", "entry__household_id",
            "entry__companion_of_id", "entry__wheelchair", "entry__last_exposure",
            "entry__companion_of__id", "entry__companion_of__level",
        )
        .prefetch_related(Prefetch("entry__companions", queryset=_COMPANION_IDS))
        .order_by("stop", "pk")
    )  # fmt: skip


def allocate_batch(user: Any, batch: Batch, now: dt.datetime | None = None) -> list[Placement]:
    """Place everyone of the batch not yet placed (planned or boarded). Returns a room per
    person, or why there is none."""
    if user is not None and not (is_planner(user) or can_receive(user, batch)):
        raise NotAllowed(_("您不能为该批次分配房间"))
    now = now or timezone.now()
    try:
        with transaction.atomic():
            return _allocate(user, batch, now)
    except IntegrityError as exc:
        # Only when something wrote past the site lock: the database kept the rule.
        raise IsolationError(_("房间刚被他人分配，请重新分配")) from exc


def _lock_site(site_id: int) -> Site:
    return Site.objects.select_for_update().get(pk=site_id)


def _allocate(user: Any, batch: Batch, now: dt.datetime) -> list[Placement]:
    site = _lock_site(batch.site_id)
    members = _candidates(batch)
    # People already received without a room keep their stay; it gets the room.
    existing = {
        st.member_id: st
        for st in Stay.objects.filter(member__in=members, status=StayStatus.IN_SITE, in_room=False)
    }
    sharing = household_sharing(batch.incident.policy_edition)
    floors, rooms = _Floors(site), _Rooms(site)
    units = _units(members, sharing)
    # Those who need an accessible room choose first.
    units.sort(key=lambda u: 0 if any(m.entry.needs_accessible for m in u) else 1)
    placements: list[Placement] = []
    primary: list[Stay] = []
    companions: list[tuple[Stay, int]] = []  # (stay, child's member id)
    used_rooms: list[Room] = []
    for unit in units:
        level = separation_level(unit[0].entry)
        accessible = any(m.entry.needs_accessible for m in unit)
        shared = len(unit) > 1 and not any(m.entry.companion_of_id for m in unit)
        room = rooms.pick(floors, level, accessible=accessible, beds=len(unit) if shared else 1)
        if room is None and shared:
            # No multi-bed room for the household: one room each.
            for m in unit:
                _place_alone(m, rooms, floors, placements, primary, used_rooms, existing)
            continue
        if room is None:
            for m in unit:
                placements.append(_no_room(m, level))
            continue
        used_rooms.append(room)
        child = unit[0]
        for bed, m in enumerate(unit, start=1):
            stay = _stay(m, room, bed if shared else 1, level, existing)
            if m is child or shared:
                primary.append(stay)
            else:
                stay.bed = 0
                companions.append((stay, child.pk))
            placements.append(_placed(m, room, level))
    _save(primary, existing)
    by_member = {st.member_id: st for st in primary}
    for stay, child_member in companions:
        stay.companion_of = by_member[child_member]
    _save([st for st, _c in companions], existing)
    set_rooms_status(used_rooms, RoomStatus.OCCUPIED, by=user, reason=batch.code, now=now)
    return placements


_PLACE_FIELDS = ["room", "room_type", "bed", "in_room", "level", "companion_of"]


def _save(stays: list[Stay], existing: dict[int | None, Stay]) -> None:
    """Insert new stays, give rooms to existing ones (two statements)."""
    new = [st for st in stays if st.pk is None]
    old = [st for st in stays if st.pk is not None]  # before the insert gives the new ones ids
    Stay.objects.bulk_create(new)
    if old:
        Stay.objects.bulk_update(old, _PLACE_FIELDS)


def _stay(
    member: BatchMember, room: Room, bed: int, level: str,
    existing: dict[int | None, Stay] | None = None,
) -> Stay:  # fmt: skip
    found = (existing or {}).get(member.pk)
    if found is not None:
        found.room, found.room_type, found.bed, found.in_room = room, room.type, bed, True
        found.level = level
        return found
    return Stay(
        incident_id=member.batch.incident_id,
        entry=member.entry, member=member, site_id=room.site_id, room=room, room_type=room.type,
        bed=bed, in_room=True, level=level, status=StayStatus.ALLOCATED,
        last_exposure=member.entry.last_exposure,
    )  # fmt: skip


def _placed(m: BatchMember, room: Room, level: str) -> Placement:
    return Placement(m.pk, m.entry_id, m.entry.name, level, room.number, room.floor)


def _no_room(m: BatchMember, level: str) -> Placement:
    return Placement(
        m.pk, m.entry_id, m.entry.name, level,
        reason=_("没有符合规则的空房间（%(level)s楼层已满或与另一类人员同层）")
        % {"level": Level(level).label},
    )  # fmt: skip


def _place_alone(
    m: BatchMember, rooms: _Rooms, floors: _Floors, placements: list[Placement],
    primary: list[Stay], used_rooms: list[Room], existing: dict[int | None, Stay],
) -> None:  # fmt: skip
    level = separation_level(m.entry)
    room = rooms.pick(floors, level, accessible=m.entry.needs_accessible)
    if room is None:
        placements.append(_no_room(m, level))
        return
    used_rooms.append(room)
    primary.append(_stay(m, room, 1, level, existing))
    placements.append(_placed(m, room, level))


@transaction.atomic
def assign_room(user: Any, member: BatchMember, room: Room) -> Stay:
    """Manual override: put one person into a chosen room, under the same rules."""
    batch = member.batch
    if user is not None and not (is_planner(user) or can_receive(user, batch)):
        raise NotAllowed(_("您不能为该批次分配房间"))
    site = Site.objects.select_for_update().get(pk=batch.site_id)
    room = Room.objects.select_for_update().get(pk=room.pk)
    if room.site_id != site.pk:
        raise IsolationError(_("房间不属于本批次的目的隔离点"))
    entry = member.entry
    level = separation_level(entry)
    here = list(Stay.objects.filter(room=room, in_room=True).exclude(member=member))
    child_stay = None
    if entry.companion_of_id:
        child_stay = next((s for s in here if s.entry_id == entry.companion_of_id), None)
    if room.status == RoomStatus.OUT_OF_SERVICE or (room.status == RoomStatus.CLEANING):
        raise IsolationError(_("房间 %(room)s 不可用（停用或待消杀）") % {"room": room.number})
    if here and child_stay is None:
        same_household = (
            room.type == RoomType.MULTI
            and household_sharing(batch.incident.policy_edition)
            and all(s.entry.household_id == entry.household_id for s in here)
            and len(here) < room.beds
        )
        if not same_household:
            raise IsolationError(_("房间 %(room)s 已有人入住（一人一间）") % {"room": room.number})
    floors = _Floors(site)
    floors.levels[room.floor].discard(level)
    if not floors.allows(room.floor, level):
        raise IsolationError(
            _("密接和次密接不能安排在同一楼层（%(floor)s层）") % {"floor": room.floor}
        )
    if room.type == RoomType.ACCESSIBLE and not entry.needs_accessible:
        waiting = _candidates(batch)
        if any(m.entry.needs_accessible for m in waiting if m.pk != member.pk):
            raise IsolationError(_("无障碍房间优先安排给有需要的人员"))
    bed = 0 if child_stay else len(here) + 1
    stay = Stay.objects.filter(member=member, in_room=True).select_related("room").first()
    previous = stay.room if stay is not None else None
    was_used = stay is not None and stay.status == StayStatus.IN_SITE
    if stay is None:
        stay = Stay(
            incident_id=batch.incident_id, entry=entry, member=member, site=site,
            status=StayStatus.ALLOCATED, last_exposure=entry.last_exposure,
        )  # fmt: skip
    stay.room, stay.room_type, stay.bed, stay.in_room = room, room.type, bed, True
    stay.level, stay.companion_of = level, child_stay
    stay.save()
    if (
        previous is not None
        and previous.pk != room.pk
        and not Stay.objects.filter(room=previous, in_room=True).exists()
    ):
        after = RoomStatus.CLEANING if was_used else RoomStatus.FREE
        set_rooms_status([previous], after, by=user, reason=_("改分房间"))
    set_rooms_status([room], RoomStatus.OCCUPIED, by=user, reason=_("人工分配"))
    return stay
