"""Sites, rooms, the rooms' status history and the occupancy board."""

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import Count, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from tongxin.accounts.permissions import Perm, has_perm
from tongxin.isolation.models import (
    Room,
    RoomStatus,
    RoomStatusChange,
    RoomType,
    Site,
    SiteZone,
    Stay,
    StayStatus,
)
from tongxin.isolation.services import IsolationError, NotAllowed
from tongxin.people.models import Person
from tongxin.places.models import Place


def create_site(
    *, name: str, place: Place, kind: str, address: str = "", lead: Any = None,
    staff: Iterable[Any] = (), zones: Iterable[tuple[str, str, str]] = (),
) -> Site:  # fmt: skip
    site = Site.objects.create(
        name=name, place=place, kind=kind, address=address or place.address, lead=lead
    )
    if staff:
        site.staff.set(list(staff))
    SiteZone.objects.bulk_create(
        [SiteZone(site=site, kind=k, name=n, floors=f) for k, n, f in zones]
    )
    return site


def add_rooms(
    site: Site, floors: Iterable[int], per_floor: int, *, type: str = RoomType.SINGLE,
    beds: int = 1, start: int = 1,
) -> list[Room]:  # fmt: skip
    """Rooms numbered floor×100 + n (301, 302 …)."""
    now = timezone.now()
    rooms = [
        Room(
            site=site,
            number=f"{floor}{n:02d}",
            floor=floor,
            type=type,
            beds=beds if type == RoomType.MULTI else 1,
            status=RoomStatus.FREE,
            status_since=now,
        )
        for floor in floors
        for n in range(start, start + per_floor)
    ]
    return Room.objects.bulk_create(rooms)


def _record_changes(
    rooms: Iterable[Room], status: str, now: dt.datetime, by: Any, reason: str
) -> None:
    RoomStatusChange.objects.bulk_create(
        [
            RoomStatusChange(
                room=r,
                status=status,
                previous=r.status,
                at=now,
                by=by if getattr(by, "pk", None) else None,
                reason=reason,
            )
            for r in rooms
            if r.status != status
        ]
    )


def set_rooms_status(
    rooms: list[Room], status: str, *, by: Any = None, reason: str = "",
    now: dt.datetime | None = None,
) -> None:  # fmt: skip
    """Set the rooms' status and keep the history (one insert and one update)."""
    now = now or timezone.now()
    changing = [r for r in rooms if r.status != status]
    if not changing:
        return
    _record_changes(changing, status, now, by, reason)
    Room.objects.filter(pk__in=[r.pk for r in changing]).update(status=status, status_since=now)
    for room in changing:
        room.status, room.status_since = status, now


@transaction.atomic
def change_room_status(user: Any, room: Room, status: str, reason: str = "") -> Room:
    """A site's hand change: cleaned (→ free), out of service, back in service."""
    if not has_perm(user, Perm.WORK_ISOLATION):
        raise NotAllowed(_("您没有管理隔离点房间的权限"))
    room = Room.objects.select_for_update().get(pk=room.pk)
    if status not in RoomStatus.values:
        raise IsolationError(_("房间状态无效"))
    occupied = Stay.objects.filter(room=room, in_room=True).exists()
    if occupied and status != RoomStatus.OCCUPIED:
        raise IsolationError(_("房间 %(room)s 有人入住，不能改为该状态") % {"room": room.number})
    if status == RoomStatus.OCCUPIED and not occupied:
        raise IsolationError(_("入住由分配房间完成，不能手工改为已入住"))
    set_rooms_status([room], status, by=user, reason=reason)
    return room


# --- the board --------------------------------------------------------------------------------


@dataclass
class SiteLine:
    id: int
    name: str
    kind: str
    rooms: int
    occupied: int
    free: int
    cleaning: int
    out_of_service: int
    people: int
    flagged_floors: list[int]

    def as_dict(self) -> dict[str, Any]:
        return {
            "id": self.id, "name": self.name, "kind": self.kind, "rooms": self.rooms,
            "occupied": self.occupied, "free": self.free, "to_be_cleaned": self.cleaning,
            "out_of_service": self.out_of_service, "people": self.people,
            "flagged_floors": self.flagged_floors,
        }  # fmt: skip


@dataclass
class Board:
    sites: list[SiteLine]
    residents: int
    reserve_per_10k: int

    @property
    def totals(self) -> dict[str, int]:
        keys = ("rooms", "occupied", "free", "cleaning", "out_of_service", "people")
        return {k: sum(getattr(s, k) for s in self.sites) for k in keys}

    @property
    def reserve_required(self) -> int:
        return -(-self.residents * self.reserve_per_10k // 10_000)  # rounded up

    @property
    def reserve_met(self) -> bool:
        return self.totals["rooms"] >= self.reserve_required

    def as_dict(self) -> dict[str, Any]:
        return {
            "sites": [s.as_dict() for s in self.sites],
            "totals": self.totals,
            "residents": self.residents,
            "reserve_per_10k": self.reserve_per_10k,
            "reserve_required": self.reserve_required,
            "reserve_met": self.reserve_met,
        }


def board(user: Any = None, *, area: Place | None = None, incident: Any = None) -> Board:
    """Live occupancy per site and for the county, against the reserve standard. Three
    aggregate queries whatever the number of rooms and people."""
    sites = Site.objects.filter(active=True)
    if user is not None:
        sites = sites.filter(pk__in=Site.objects.visible_to(user).values("pk"))
    if area is not None:
        sites = sites.filter(place__path__startswith=area.path)
    site_rows = list(sites.order_by("name").values("id", "name", "kind"))
    ids = [s["id"] for s in site_rows]
    by_status: dict[int, dict[str, int]] = defaultdict(dict)
    for row in (
        Room.objects.filter(site_id__in=ids).values("site_id", "status").annotate(n=Count("id"))
    ):
        by_status[row["site_id"]][row["status"]] = row["n"]
    stays = Stay.objects.filter(site_id__in=ids, status=StayStatus.IN_SITE)
    if incident is not None:
        stays = stays.filter(incident=incident)
    people = dict(stays.values_list("site_id").annotate(n=Count("id")).values_list("site_id", "n"))
    from tongxin.isolation.models import FloorFlag

    flags: dict[int, list[int]] = defaultdict(list)
    for site_id, floor in (
        FloorFlag.objects.filter(site_id__in=ids, cleared_at__isnull=True)
        .values_list("site_id", "floor")
        .distinct()
    ):
        flags[site_id].append(floor)
    lines = []
    for s in site_rows:
        counts = by_status[s["id"]]
        lines.append(
            SiteLine(
                id=s["id"],
                name=s["name"],
                kind=s["kind"],
                rooms=sum(counts.values()),
                occupied=counts.get(RoomStatus.OCCUPIED, 0),
                free=counts.get(RoomStatus.FREE, 0),
                cleaning=counts.get(RoomStatus.CLEANING, 0),
                out_of_service=counts.get(RoomStatus.OUT_OF_SERVICE, 0),
                people=people.get(s["id"], 0),
                flagged_floors=sorted(flags[s["id"]]),
            )
        )
    residents_qs = Person.objects.all()
    if area is not None:
        residents_qs = residents_qs.filter(household__path__startswith=area.path)
    return Board(
        sites=lines,
        residents=residents_qs.count(),
        reserve_per_10k=settings.TONGXIN_ISOLATION_RESERVE_ROOMS_PER_10K,
    )


def visible_site(user: Any, pk: int) -> Site:
    from django.http import Http404

    site = Site.objects.visible_to(user).filter(pk=pk).first()
    if site is None:
        raise Http404
    return site


def rooms_of(site: Site) -> list[Room]:
    return list(site.rooms.order_by("floor", "number"))


def floor_q(site: Site, floor: int) -> Q:
    return Q(room__site=site, room__floor=floor)
