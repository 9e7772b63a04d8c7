"""What the registry knows about the person asking: their household and record, the zone they
live in, the unit and cadre responsible for them, and any special-population care plan.

Linking is done by the platform itself, never by the person asking: the public page's answer
is the same whether or not anything was found.
"""

import contextlib
import datetime as dt
import logging
import re
import unicodedata
from dataclasses import dataclass, field
from typing import Any

import phonenumbers
from django.db.models import Q
from django.utils import timezone

from tongxin.care.services import CareProfile, care_profile_for
from tongxin.core.phones import InvalidPhone, normalize_mobile
from tongxin.incidents.models import Incident
from tongxin.people.models import Person
from tongxin.places.labels import building_label, chinese_to_int, room_label, stairwell_label
from tongxin.places.models import Place, PlaceKind
from tongxin.units.models import BuildingAssignment, GridRole, GridRoleKind, Unit, UnitAssignment
from tongxin.zones.services import effective_zone

log = logging.getLogger(__name__)


# --- phone numbers ---------------------------------------------------------------------------


def normalize_callback(raw: str) -> tuple[str, bool]:
    """(digits, is_mobile) of a callback number: a mainland mobile, or a fixed line with its
    area code (older residents call from home). InvalidPhone otherwise."""
    with contextlib.suppress(InvalidPhone):
        return normalize_mobile(raw), True
    text = re.sub(r"[\s\-()（）]", "", unicodedata.normalize("NFKC", raw or ""))
    if not text:
        raise InvalidPhone(raw)
    try:
        parsed = phonenumbers.parse(text, "CN")
    except phonenumbers.NumberParseException:
        raise InvalidPhone(raw) from None
    if parsed.country_code != 86 or not phonenumbers.is_valid_number(parsed):
        raise InvalidPhone(raw)
    return "0" + str(parsed.national_number), False


# --- places ----------------------------------------------------------------------------------

_NUM = r"[\d一二三四五六七八九十百两零〇]+"
_BUILDING = re.compile(rf"(第?{_NUM})\s*(号楼|幢|栋|座|组|楼)")
_STAIRWELL = re.compile(rf"(第?{_NUM})\s*(单元|楼道)")
_ROOM = re.compile(r"(\d+[A-Za-z]?)\s*(室|号|户)?\s*$")
_DASHED = re.compile(r"^(\d+)\s*[-－—]\s*(\d+)(?:\s*[-－—]\s*(\d+))?$")


@dataclass(frozen=True)
class Located:
    place: Place | None  # the deepest place found: household, building or the estate
    household: Place | None


def _child(parent: Place, kind: str, key: str) -> Place | None:
    return Place.objects.filter(parent=parent, kind=kind, key=key).first()


def _parse_unit_text(text: str) -> tuple[str, str, str]:
    """(building, stairwell, room) as typed: "3幢2单元301", "3-2-301", "5组12号"."""
    text = unicodedata.normalize("NFKC", text or "").strip()
    dashed = _DASHED.match(text.replace(" ", ""))
    if dashed:
        first, second, third = dashed.groups()
        return (first, second, third) if third else (first, "", second)
    building = stairwell = room = ""
    rest = text
    match = _BUILDING.search(rest)
    if match:
        building = match.group(1) + ("组" if match.group(2) == "组" else "")
        rest = rest[: match.start()] + " " + rest[match.end() :]
    match = _STAIRWELL.search(rest)
    if match:
        stairwell = match.group(1)
        rest = rest[: match.start()] + " " + rest[match.end() :]
    match = _ROOM.search(rest.strip())
    if match:
        room = match.group(1)
    return building, stairwell, room


def locate(estate: Place | None, unit_text: str) -> Located:
    """The household (or building) an estate plus "3幢2单元301" names, as far as the tree has it."""
    if estate is None:
        return Located(None, None)
    building_text, stairwell_text, room_text = _parse_unit_text(unit_text)
    if not building_text:
        return Located(estate, None)
    if chinese_to_int(building_text.removeprefix("第")) is not None:
        building_text = str(chinese_to_int(building_text.removeprefix("第")))
    building = _child(estate, PlaceKind.BUILDING, building_label(building_text)[0])
    if building is None:
        return Located(estate, None)
    parent = building
    if stairwell_text:
        stairwell = _child(building, PlaceKind.STAIRWELL, stairwell_label(stairwell_text)[0])
        if stairwell is not None:
            parent = stairwell
    if not room_text:
        return Located(parent, None)
    key = room_label(room_text)[0]
    household = _child(parent, PlaceKind.HOUSEHOLD, key)
    if household is None and parent is building:
        # "3幢301" without the stairwell: the room is unique in the building more often than not.
        found = list(Place.objects.under(building).filter(kind=PlaceKind.HOUSEHOLD, key=key)[:2])
        household = found[0] if len(found) == 1 else None
    return Located(household or parent, household)


def estates() -> list[Place]:
    """The estates and villages a resident can pick from, in tree order."""
    return list(
        Place.objects.filter(kind=PlaceKind.ESTATE)
        .select_related("parent__parent")
        .order_by("path")
    )


def place_label(place: Place | None) -> str:
    if place is None:
        return ""
    return place.address or place.name


# --- the registry ----------------------------------------------------------------------------


def link_person(phone: str, place: Place | None, caller_name: str = "") -> Person | None:
    """The registered resident who is asking, when the registry says so unambiguously."""
    candidates: list[Person] = list(
        Person.objects.with_phone(phone).select_related("household")[:20]
    )
    if place is not None and place.kind == PlaceKind.HOUSEHOLD:
        at_home = [p for p in candidates if p.household_id == place.pk]
        if at_home:
            candidates = at_home
        elif caller_name:
            same_name = list(Person.objects.filter(household=place, name=caller_name)[:2])
            return same_name[0] if len(same_name) == 1 else None
    if caller_name and len(candidates) > 1:
        named = [p for p in candidates if p.name == caller_name]
        candidates = named or candidates
    return candidates[0] if len(candidates) == 1 else None


def narrow_to_household(place: Place | None, person: Person | None, phone: str) -> Place | None:
    """Where the request is: a caller who gave only the estate (or building) and is registered
    there is placed at their household, so the building's cadre, the zone and the household's
    duplicate check all apply. A household the caller named is kept as given."""
    if place is not None and place.kind == PlaceKind.HOUSEHOLD:
        return place
    home = person.household if person is not None else household_of(phone)
    if home is None:
        return place
    if place is None or home.path.startswith(place.path):
        return home
    return place


def household_of(phone: str) -> Place | None:
    """Where the numbers' owners live, when they all live in one household."""
    homes = set(Person.objects.with_phone(phone).values_list("household_id", flat=True)[:20])
    if len(homes) == 1:
        return Place.objects.filter(pk=homes.pop()).first()
    return None


# --- special populations (the care registry) ------------------------------------------------


def care_profile(person: Person | None, *, audit: bool = False) -> CareProfile | None:
    """The person's CareProfile (.tags, .summary, .url), or None.

    `audit`: the profile is shown to someone (the care app records the view); linking at
    intake shows nothing to anyone. A failure in that app must never cost a resident their
    request, so it is logged and treated as "no profile"."""
    if person is None:
        return None
    try:
        return care_profile_for(person, audit=audit)
    except Exception:
        log.exception("care_profile_for failed for person %s", person.pk)
        return None


def care_tags(profile: CareProfile | None) -> list[str]:
    return [str(tag) for tag in profile.tags] if profile is not None else []


def care_url(profile: CareProfile | None) -> str:
    return profile.url if profile is not None else ""


# --- who is responsible ----------------------------------------------------------------------


@dataclass
class Responsible:
    units: list[Unit] = field(default_factory=list)
    cadres: list[Any] = field(default_factory=list)  # 包楼干部 of the building
    grid_leaders: list[Any] = field(default_factory=list)  # 网格长 of the estate


def _ancestor_paths(place: Place) -> list[str]:
    step = Place.steplen
    return [place.path[:i] for i in range(step, len(place.path) + 1, step)]


def responsible_for(place: Place | None, on: dt.date | None = None) -> Responsible:
    if place is None:
        return Responsible()
    on = on or timezone.localdate()
    paths = _ancestor_paths(place)
    assignments = list(
        UnitAssignment.objects.active(on)
        .filter(place__path__in=paths)
        .select_related("unit", "place")
        .order_by("-place__depth", "unit__name")
    )
    # The unit responsible for the nearest place (the estate's 包干单位), not every unit that
    # holds something above it (a sampling team assigned a whole township, say).
    nearest = assignments[0].place.depth if assignments else 0
    units = [a.unit for a in assignments if a.place.depth == nearest]
    current = Q(starts_on__lte=on) & (Q(ends_on__isnull=True) | Q(ends_on__gte=on))
    cadres = [
        b.user
        for b in BuildingAssignment.objects.filter(current, place__path__in=paths)
        .select_related("user")
        .order_by("-place__depth", "pk")
    ]
    leaders = [
        g.user
        for g in GridRole.objects.filter(place__path__in=paths, role=GridRoleKind.GRID_LEADER)
        .select_related("user")
        .order_by("-place__depth", "pk")
    ]
    by_pk: dict[int, Unit] = {}
    for unit in units:
        by_pk.setdefault(unit.pk, unit)
    return Responsible(units=list(by_pk.values()), cadres=cadres, grid_leaders=leaders)


def zone_of(place: Place | None, incident: Incident | None, at: dt.datetime | None = None) -> Any:
    if place is None:
        return None
    return effective_zone(place, at, incident=incident)
