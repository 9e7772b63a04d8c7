"""Reminding households of their slot, per responsible cadre (分片包楼).

Phone numbers are masked on every list except the one of the cadre responsible for the
household's building, who has to ring them; showing them in clear there is audited as a reveal.
"""

import datetime as dt
import logging
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.db import transaction
from django.db.models import Q
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from tongxin.accounts import second_factor
from tongxin.accounts.models import User
from tongxin.accounts.permissions import Perm, has_perm
from tongxin.audit.services import record_reveals
from tongxin.people.models import Person
from tongxin.places.models import Place, PlaceKind
from tongxin.testing.models import (
    Exemption,
    PlanSlot,
    ReminderEntry,
    ReminderStatus,
    TestRound,
)
from tongxin.testing.services.permissions import can_remind
from tongxin.testing.services.plans import slot_label, span
from tongxin.testing.services.rounds import RoundError
from tongxin.testing.services.scope import EXPECTED_STATUSES, stay_home_q
from tongxin.units.models import BuildingAssignment, GridRole, GridRoleKind, Unit, UnitAssignment

logger = logging.getLogger(__name__)

# Path length of an estate (county, township, community, estate).
ESTATE_PATH = 4 * Place.steplen

# Grid roles that ring households when no cadre has the building (分片包楼 not done yet).
CALLING_ROLES = (GridRoleKind.FULL_TIME, GridRoleKind.PART_TIME, GridRoleKind.GRID_LEADER)


def _prefixes(path: str) -> list[str]:
    step = Place.steplen
    return [path[:end] for end in range(len(path), 0, -step)]


def responsible_cadres(places: Iterable[Place], on: dt.date | None = None) -> dict[int, list[User]]:
    """{place id: cadres} for buildings or stairwells: the cadres assigned the place itself
    or, failing that, its building (包楼); failing both, the grid staff of the nearest place
    above with any (网格员). Two queries."""
    on = on or timezone.localdate()
    places = list(places)
    wanted: set[str] = set()
    for place in places:
        wanted.update(_prefixes(place.path))
    by_path: dict[str, list[User]] = defaultdict(list)
    assignments = (
        BuildingAssignment.objects.filter(place__path__in=sorted(wanted), starts_on__lte=on)
        .filter(Q(ends_on__isnull=True) | Q(ends_on__gte=on), user__is_active=True)
        .select_related("user", "place")
        .order_by("user_id")
    )
    for a in assignments:
        by_path[a.place.path].append(a.user)
    grid: dict[str, list[User]] = defaultdict(list)
    roles = (
        GridRole.objects.filter(place__path__in=sorted(wanted), role__in=CALLING_ROLES)
        .filter(user__is_active=True)
        .select_related("user", "place")
        .order_by("user_id")
    )
    rank: dict[str, int] = {str(role): i for i, role in enumerate(CALLING_ROLES)}
    for role in sorted(roles, key=lambda r: rank[r.role]):
        if role.user not in grid[role.place.path]:
            grid[role.place.path].append(role.user)
    found: dict[int, list[User]] = {}
    for place in places:
        cadres: list[User] = []
        own = [place.path]
        if place.kind == PlaceKind.STAIRWELL:
            own.append(place.path[: -Place.steplen])  # its building
        for path in own:
            if by_path.get(path):
                cadres = by_path[path]
                break
        if not cadres:
            for path in _prefixes(place.path):
                if grid.get(path):
                    cadres = grid[path]
                    break
        found[place.pk] = cadres
    return found


def responsible_units(place: Place, on: dt.date | None = None) -> list[Unit]:
    """Units responsible (网格包干) for the place or a place above it."""
    paths = _prefixes(place.path)
    return list(
        Unit.objects.filter(
            pk__in=UnitAssignment.objects.active(on).filter(place__path__in=paths).values("unit_id")
        ).order_by("name")
    )


# --- lists ------------------------------------------------------------------------------------


@dataclass
class HouseholdRow:
    household: Place
    slot: PlanSlot
    people: int
    phones: list[str]
    clear: bool  # phones shown in clear (the viewer is this household's cadre)
    status: str = ReminderStatus.PENDING
    note: str = ""
    sms_sent_at: dt.datetime | None = None
    label: str = ""  # the household's address within its estate: "3幢 1单元 101室"

    @property
    def status_label(self) -> str:
        return str(ReminderStatus(self.status).label)


@dataclass
class CadreGroup:
    cadre: User | None
    mine: bool
    rows: list[HouseholdRow] = field(default_factory=list)

    def count(self, status: str) -> int:
        return sum(1 for r in self.rows if r.status == status)

    @property
    def pending(self) -> int:
        return self.count(ReminderStatus.PENDING)

    @property
    def reminded(self) -> int:
        return self.count(ReminderStatus.REMINDED)

    @property
    def no_answer(self) -> int:
        return self.count(ReminderStatus.NO_ANSWER)


def _visible_slots(round: TestRound, user: Any, slot: PlanSlot | None) -> list[PlanSlot]:
    slots = (
        PlanSlot.objects.visible_to(user)
        .filter(round=round, starts_at__isnull=False)
        .select_related("place__parent", "round_point__point")
        .order_by("starts_at", "place__path")
    )
    if slot is not None:
        slots = slots.filter(pk=slot.pk)
    return list(slots)


def _expected(round: TestRound, places: list[Place]) -> Any:
    if not places:
        return Person.objects.none()
    q = Q()
    for place in places:
        q |= Q(household__path__startswith=place.path)
    return (
        Person.objects.filter(q, residence_status__in=EXPECTED_STATUSES)
        .exclude(pk__in=Exemption.objects.filter(round=round).values("person_id"))
        # Sealed-zone households are on the door-to-door list, not told to come to a point.
        .exclude(stay_home_q(round, "household__path"))
        .select_related("household")
    )


def reminder_groups(
    round: TestRound,
    user: Any,
    *,
    cadre: User | None = None,
    slot: PlanSlot | None = None,
    only_mine: bool = False,
    reveal: bool = True,
) -> list[CadreGroup]:
    """The households to remind, per responsible cadre, for the user's visible slots.

    A household appears under each of its cadres. Phones are masked, except in the user's
    own group when the user may reveal personal data; each number shown in clear there is
    recorded as a reveal. `cadre` (or `only_mine`) narrows the list to one cadre's group."""
    slots = _visible_slots(round, user, slot)
    if not slots:
        return []
    cadres_of = responsible_cadres([s.place for s in slots])
    if only_mine:
        cadre = user
    # Without a verified second factor (where one is required) the list stays masked.
    may_reveal = (
        reveal and has_perm(user, Perm.REVEAL_PERSONAL) and second_factor.may_see_clear(user)
    )
    wanted_slots = [
        s for s in slots if cadre is None or any(c.pk == cadre.pk for c in cadres_of[s.place_id])
    ]
    if not wanted_slots:
        return []
    clear_slot_ids = {
        s.pk
        for s in wanted_slots
        if may_reveal and any(c.pk == user.pk for c in cadres_of[s.place_id])
    }
    slot_by_path = {s.place.path: s for s in wanted_slots}

    people = _expected(round, [s.place for s in wanted_slots]).visible_to(user)
    clear_places = [s.place for s in wanted_slots if s.pk in clear_slot_ids]
    people = (
        people.defer("document_number")
        if clear_places
        else people.defer("document_number", "phone")
    )
    by_household: dict[int, list[Person]] = defaultdict(list)
    households: dict[int, Place] = {}
    for person in people.order_by("household__path", "pk"):
        by_household[person.household_id].append(person)
        households[person.household_id] = person.household
    entries = {
        e.household_id: e
        for e in ReminderEntry.objects.filter(round=round, household_id__in=list(households))
    }
    estate_paths = {h.path[:ESTATE_PATH] for h in households.values()}
    estate_addresses = dict(
        Place.objects.filter(path__in=sorted(estate_paths)).values_list("path", "address")
    )
    revealed: list[Person] = []
    rows_by_slot: dict[int, list[HouseholdRow]] = defaultdict(list)
    for household_id, members in by_household.items():
        household = households[household_id]
        slot_of = next(
            (slot_by_path[p] for p in _prefixes(household.path) if p in slot_by_path), None
        )
        if slot_of is None:
            continue
        clear = slot_of.pk in clear_slot_ids
        phones: list[str] = []
        for person in members:
            shown = person.phone if clear else person.phone_masked
            if shown and shown not in phones:
                phones.append(shown)
                if clear:
                    revealed.append(person)
        entry = entries.get(household_id)
        rows_by_slot[slot_of.pk].append(
            HouseholdRow(
                household=household,
                slot=slot_of,
                people=len(members),
                phones=phones,
                clear=clear,
                status=entry.status if entry else ReminderStatus.PENDING,
                note=entry.note if entry else "",
                sms_sent_at=entry.sms_sent_at if entry else None,
                label=_within(household, estate_addresses.get(household.path[:ESTATE_PATH], "")),
            )
        )
    if revealed:
        record_reveals(revealed, "phone")

    groups: dict[int | None, CadreGroup] = {}
    for s in wanted_slots:
        owners: list[User | None] = list(cadres_of[s.place_id]) or [None]
        for owner in owners:
            if cadre is not None and (owner is None or owner.pk != cadre.pk):
                continue
            key = owner.pk if owner else None
            group = groups.get(key)
            if group is None:
                group = groups[key] = CadreGroup(owner, bool(owner and owner.pk == user.pk))
            group.rows.extend(rows_by_slot.get(s.pk, []))
    ordered = sorted(
        groups.values(), key=lambda g: (not g.mine, g.cadre is None, str(g.cadre or ""))
    )
    return ordered


def _within(household: Place, estate_address: str) -> str:
    address = household.address or household.name
    if estate_address and address.startswith(estate_address):
        return address[len(estate_address) :].strip() or household.name
    return address


def reminder_overview(round: TestRound, user: Any) -> list[CadreGroup]:
    """Every cadre's group with counts (phones masked whatever the user): the leader's view."""
    groups = reminder_groups(round, user, cadre=None, reveal=False)
    for group in groups:
        for row in group.rows:
            row.phones, row.clear = [], False
    return groups


# --- marking and sending --------------------------------------------------------------------


def _household_slot(round: TestRound, user: Any, household_id: int) -> tuple[Place, PlanSlot]:
    household = (
        Place.objects.visible_to(user).filter(pk=household_id, kind=PlaceKind.HOUSEHOLD).first()
    )
    if household is None:
        raise Http404
    slot = (
        PlanSlot.objects.visible_to(user)
        .filter(round=round, place__path__in=_prefixes(household.path))
        .select_related("place", "round_point__point")
        .first()
    )
    if slot is None:
        raise Http404
    return household, slot


def mark(
    round: TestRound, user: Any, household_id: int, status: str, note: str = ""
) -> ReminderEntry:
    """Record that a household was reminded, or did not answer."""
    if not can_remind(user):
        raise RoundError(_("您没有提醒居民的权限"))
    if status not in ReminderStatus.values:
        raise RoundError(_("未知的提醒状态"))
    household, _slot = _household_slot(round, user, household_id)
    entry, _created = ReminderEntry.objects.update_or_create(
        round=round,
        household=household,
        defaults={
            "status": status,
            "note": (note or "")[:255],
            "marked_by": user,
            "marked_at": timezone.now(),
        },
    )
    return entry


@dataclass
class SendResult:
    households: int
    phones: int


def send_slot_reminders(round: TestRound, user: Any, slot: PlanSlot) -> SendResult:
    """Tell a slot's households (SMS), its cadres (inbox) and the responsible units' group
    robots when and where to come."""
    from tongxin.notifications.services import notify

    if not can_remind(user):
        raise RoundError(_("您没有提醒居民的权限"))
    visible = _visible_slots(round, user, slot)
    if not visible:
        raise Http404
    slot = visible[0]
    members = list(_expected(round, [slot.place]).defer("document_number"))
    phones_by_household: dict[int, list[str]] = defaultdict(list)
    for person in members:
        if person.phone and person.phone not in phones_by_household[person.household_id]:
            phones_by_household[person.household_id].append(person.phone)
    phones = sorted({p for ps in phones_by_household.values() for p in ps})
    context = reminder_context(round, slot)
    # Cadres and robots get the working note (who to phone); households the resident's text.
    notify(
        "test_reminder",
        users=responsible_cadres([slot.place])[slot.place_id],
        units=responsible_units(slot.place),
        context=context,
        link=_reminders_link(round),
        incident=round.incident,
    )
    notify("test_reminder_household", phones=phones, context=context, incident=round.incident)
    now = timezone.now()
    with transaction.atomic():
        existing = set(
            ReminderEntry.objects.filter(
                round=round, household_id__in=list(phones_by_household)
            ).values_list("household_id", flat=True)
        )
        ReminderEntry.objects.bulk_create(
            [
                ReminderEntry(round=round, household_id=h)
                for h in phones_by_household
                if h not in existing
            ]
        )
        for household_id, numbers in phones_by_household.items():
            ReminderEntry.objects.filter(round=round, household_id=household_id).update(
                sms_sent_at=now, sms_count=len(numbers)
            )
    return SendResult(len(phones_by_household), len(phones))


def reminder_context(round: TestRound, slot: PlanSlot) -> dict[str, Any]:
    point = slot.round_point.point if slot.round_point is not None else None
    estate = slot.place.parent if slot.place.kind == PlaceKind.BUILDING else None
    return {
        "round": round,
        "slot": slot,
        "place": slot_label(slot),
        "estate": estate.name if estate else "",
        "point": point.name if point else "",
        "point_address": point.address if point else "",
        "span": span(slot.starts_at, slot.ends_at) if slot.starts_at and slot.ends_at else "",
    }


def _reminders_link(round: TestRound) -> str:
    from django.urls import NoReverseMatch, reverse

    try:
        return reverse("testing:reminders", args=[round.pk])
    except NoReverseMatch:
        return ""
