"""Building the demo county: places, units, staff, grid roles, an incident, and residents.

Everything is found-or-created, so running it again changes nothing. Residents go in through
the real importer (as rows keyed by the canonical spreadsheet headers), the way a county's own
spreadsheets would.
"""

import datetime as dt
import random
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.contrib.auth.hashers import make_password
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from faker import Faker

from tongxin.accounts.models import Role, User
from tongxin.audit.context import Actor, acting_as
from tongxin.demo import county as spec
from tongxin.demo.people import SEED, FamilyMaker, households_with_people, mobile_number
from tongxin.imports.services import import_records
from tongxin.incidents.models import Incident, PolicyEdition
from tongxin.incidents.services import open_incident
from tongxin.people.models import Person, ResidenceStatus
from tongxin.places.labels import building_label, name_key, room_label, stairwell_label
from tongxin.places.models import Place, PlaceKind
from tongxin.places.services import PlaceTree, create_county
from tongxin.units.models import BuildingAssignment, GridRole, Unit, UnitAssignment

DEMO_ACTOR = Actor(user=None, label=spec.DEMO_ACTOR_LABEL, channel="cli")


class DemoError(ValueError):
    pass


@dataclass
class DemoLogin:
    username: str
    role: str  # the role's label, in the active language
    unit: str
    password: str


@dataclass
class DemoResult:
    # Rows created by this run, per kind ("places", "units", …); all zero on a re-run.
    created: dict[str, int] = field(default_factory=dict)
    residents: Any = None  # the importer's ImportResult
    logins: list[DemoLogin] = field(default_factory=list)
    seconds: dict[str, float] = field(default_factory=dict)

    @property
    def created_anything(self) -> bool:
        changed = self.residents is not None and (self.residents.created or self.residents.updated)
        return bool(changed) or any(self.created.values())


@dataclass(frozen=True)
class HouseholdRow:
    """A household the demo laid out, with the spreadsheet cells that locate it."""

    address: str
    cells: dict[str, str]
    occupied: float
    rural: bool


def demo_county() -> Place | None:
    return Place.objects.filter(
        depth=1, kind=PlaceKind.COUNTY, key=spec.COUNTY_NAME, code=spec.COUNTY_CODE
    ).first()


def other_counties() -> list[str]:
    """Counties in the database other than the demo's: a real install's tree."""
    roots = Place.objects.filter(depth=1)
    demo_root = demo_county()
    if demo_root is not None:
        roots = roots.exclude(pk=demo_root.pk)
    return list(roots.values_list("name", flat=True))


def foreign_data(limit: int = 5) -> list[str]:
    """What in the database the demo did not make, briefly; empty when the demo may load.

    Once the demo county is the database's only county the database is a demo one, and what
    people add while trying the demo (a user, a unit) does not stop a re-run."""
    found = [_("地点“%(name)s”") % {"name": name} for name in other_counties()[:limit]]
    if demo_county() is not None:
        return found
    units = Unit.objects.exclude(name__in=[u.name for u in spec.UNITS])
    found += [_("单位“%(name)s”") % {"name": u.name} for u in units[:limit]]
    users = User.objects.exclude(username__in=spec.demo_usernames())
    found += [_("用户“%(name)s”") % {"name": u.username} for u in users[:limit]]
    count = Person.objects.count()
    if count:
        found.append(_("%(count)d 名居民") % {"count": count})
    return found


def _coords(item: Any) -> dict[str, Decimal]:
    if not item.latitude:
        return {}
    return {"latitude": Decimal(item.latitude), "longitude": Decimal(item.longitude)}


class _Counter:
    def __init__(self) -> None:
        self.counts: dict[str, int] = {}

    def add(self, kind: str, created: bool) -> None:
        self.counts[kind] = self.counts.get(kind, 0) + (1 if created else 0)


def build_places(tree: PlaceTree) -> tuple[dict[str, Place], list[HouseholdRow]]:
    """The county's tree down to every household, and the households in tree order.

    Returns the townships, communities and estates by name (names are unique in the demo)."""
    root = create_county(spec.COUNTY_NAME, spec.COUNTY_CODE)
    named: dict[str, Place] = {}
    households: list[HouseholdRow] = []
    for township in spec.TOWNSHIPS:
        t_place = tree.child(
            root, PlaceKind.TOWNSHIP, name_key(township.name), township.name,
            code=township.code, **_coords(township),
        )  # fmt: skip
        named[township.name] = t_place
        for community in township.communities:
            c_place = tree.child(
                t_place, PlaceKind.COMMUNITY, name_key(community.name), community.name,
                code=community.code,
            )  # fmt: skip
            named[community.name] = c_place
            for estate in community.estates:
                e_place = tree.child(
                    c_place, PlaceKind.ESTATE, name_key(estate.name), estate.name,
                    **_coords(estate),
                )  # fmt: skip
                named[estate.name] = e_place
                base = {"乡镇街道": township.name, "社区": community.name, "小区": estate.name}
                for row in _estate_households(tree, e_place, estate):
                    row_cells = {**base, **row[1]}
                    households.append(
                        HouseholdRow(row[0].address, row_cells, estate.occupied, estate.rural)
                    )
    return named, households


def _estate_households(
    tree: PlaceTree, estate_place: Place, estate: spec.Estate
) -> Iterator[tuple[Place, dict[str, str]]]:
    for building in estate.buildings:
        b_text = f"{building.number}组" if estate.rural else f"{building.number}幢"
        b_key, b_name = building_label(b_text)
        b_place = tree.child(estate_place, PlaceKind.BUILDING, b_key, b_name)
        if estate.rural:
            for house in range(1, building.rooms_per_floor + 1):
                r_text = f"{house}号"
                yield _room(tree, b_place, r_text), {"楼幢": b_text, "单元": "", "房号": r_text}
            continue
        for stairwell in range(1, building.stairwells + 1):
            s_text = f"{stairwell}单元"
            s_key, s_name = stairwell_label(s_text)
            s_place = tree.child(b_place, PlaceKind.STAIRWELL, s_key, s_name)
            floors = (
                building.stairwell_floors[stairwell - 1]
                if building.stairwell_floors
                else building.floors
            )
            for floor in range(1, floors + 1):
                for room in range(1, building.rooms_per_floor + 1):
                    r_text = f"{floor}{room:02d}"
                    yield (
                        _room(tree, s_place, r_text),
                        {"楼幢": b_text, "单元": s_text, "房号": r_text},
                    )


def _room(tree: PlaceTree, parent: Place, text: str) -> Place:
    key, name = room_label(text)
    return tree.child(parent, PlaceKind.HOUSEHOLD, key, name)


def resident_records(households: list[HouseholdRow], scale: float = 1.0) -> list[dict[str, str]]:
    """The demo's residents as spreadsheet rows keyed by the importer's canonical headers."""
    maker = FamilyMaker(SEED)
    by_address = {h.address: h for h in households}
    rows: list[dict[str, str]] = []
    for address, members in households_with_people(
        maker, ((h.address, h.occupied, h.rural) for h in households), scale
    ):
        cells = by_address[address].cells
        for m in members:
            rows.append(
                {
                    "姓名": m.name,
                    "证件类型": "居民身份证",
                    "证件号码": m.id_number,
                    "手机号": m.phone,
                    **cells,
                    "居住状态": m.status,
                }
            )
    return rows


def _staff_details(username: str) -> tuple[str, str]:
    """A made-up but stable name and mobile number for a staff member."""
    rng = random.Random(f"{SEED}:staff:{username}")
    faker = Faker("zh_CN")
    faker.seed_instance(rng.randrange(2**32))
    return faker.name(), mobile_number(rng)


def _ensure_user(
    counter: _Counter,
    username: str,
    *,
    role: str,
    unit: Unit,
    position: str,
    password_hash: str | None,
    superuser: bool = False,
) -> User:
    user = User.objects.filter(username=username).first()
    if user is not None:
        counter.add("users", False)
        return user
    full_name, phone = _staff_details(username)
    user = User(
        username=username,
        full_name=full_name,
        role=role,
        unit=unit,
        position=position,
        phone=phone,
        is_staff=superuser,
        is_superuser=superuser,
    )
    if password_hash:
        user.password = password_hash
    else:
        # Cadres appear in grid roles and building assignments but have no demo login.
        user.set_unusable_password()
    user.save()
    counter.add("users", True)
    return user


def _grid_role(counter: _Counter, user: User, place: Place, kind: str) -> None:
    _obj, created = GridRole.objects.get_or_create(user=user, place=place, role=kind)
    counter.add("grid_roles", created)


def _building_assignments(
    counter: _Counter, user: User, estate: Place, numbers: tuple[int, ...]
) -> None:
    for number in numbers:
        building = Place.objects.get(
            parent=estate, kind=PlaceKind.BUILDING, key=building_label(number)[0]
        )
        _obj, created = BuildingAssignment.objects.get_or_create(
            user=user,
            place=building,
            defaults={"starts_on": dt.date.fromisoformat(spec.ASSIGNED_FROM)},
        )
        counter.add("building_assignments", created)


def build_units_and_staff(counter: _Counter, named: dict[str, Place]) -> list[DemoLogin]:
    starts_on = dt.date.fromisoformat(spec.ASSIGNED_FROM)
    units: dict[str, Unit] = {}
    for unit_spec in spec.UNITS:
        unit, created = Unit.objects.get_or_create(
            name=unit_spec.name, defaults={"kind": unit_spec.kind}
        )
        counter.add("units", created)
        units[unit.name] = unit
        for place_name in unit_spec.places:
            _a, created = UnitAssignment.objects.get_or_create(
                unit=unit, place=named[place_name], defaults={"starts_on": starts_on}
            )
            counter.add("assignments", created)

    # Hashed once, and only if a login is missing: ten PBKDF2 rounds would be most of the
    # demo's start-up time.
    usernames = [str(login.role) for login in spec.LOGINS]
    missing = User.objects.filter(username__in=usernames).count() < len(usernames)
    password_hash = make_password(spec.DEMO_PASSWORD) if missing else None
    logins = []
    for login in spec.LOGINS:
        username = str(login.role)
        user = _ensure_user(
            counter,
            username,
            role=login.role,
            unit=units[login.unit],
            position=login.position,
            password_hash=password_hash,
            superuser=login.superuser,
        )
        for place_name, kind in login.grid_roles:
            _grid_role(counter, user, named[place_name], kind)
        if login.buildings:
            _building_assignments(counter, user, named[login.buildings[0]], login.buildings[1])
        logins.append(
            DemoLogin(username, str(Role(login.role).label), login.unit, spec.DEMO_PASSWORD)
        )

    for unit_spec in spec.UNITS:
        duties = spec.CADRE_DUTIES.get(unit_spec.name, spec.CadreDuty())
        for number in range(1, unit_spec.cadres + 1):
            user = _ensure_user(
                counter,
                spec.cadre_username(unit_spec, number),
                role=Role.GRID_STAFF,
                unit=units[unit_spec.name],
                position="干部",  # data, like the unit names: not translated
                password_hash=None,
            )
            for place_name, kind in duties.grid_roles.get(number, ()):
                _grid_role(counter, user, named[place_name], kind)
            if number in duties.buildings:
                estate_name, numbers = duties.buildings[number]
                _building_assignments(counter, user, named[estate_name], numbers)
    return logins


def build_incident(counter: _Counter) -> Incident:
    incident = Incident.objects.filter(name=spec.INCIDENT_NAME).first()
    if incident is not None:
        counter.add("incidents", False)
        return incident
    edition = PolicyEdition.objects.filter(code=spec.INCIDENT_EDITION).first()
    if edition is None:
        raise DemoError(
            _("缺少防控方案版本 %(code)s，请先运行 tongxin migrate")
            % {"code": spec.INCIDENT_EDITION}
        )
    counter.add("incidents", True)
    return open_incident(
        spec.INCIDENT_NAME, edition, started_at=dt.datetime.fromisoformat(spec.INCIDENT_STARTED)
    )


def build_operations(incident: Incident) -> None:
    """The incident in mid-operation: a zone layout like the report's and open directives in
    every state. Both loaders find what an earlier run made, so a re-run adds nothing."""
    from tongxin.directives.demo import load_demo_directives
    from tongxin.testing.demo import load_demo_testing
    from tongxin.zones.demo import load_demo_zones

    now = timezone.now()
    # The zones' history is the report's (designations from the opening evening, the last
    # area rounds on day 3); everything else is as of now.
    load_demo_zones(incident, min(now, dt.datetime.fromisoformat(spec.HISTORY_END)))
    from tongxin.care.demo import load_demo_care

    load_demo_care(incident, now)
    load_demo_testing(incident, now)
    from tongxin.sampling.demo import load_demo_sampling

    load_demo_sampling(incident, now)
    units = list(Unit.objects.filter(assignments__isnull=False).distinct().order_by("name"))
    command_post = User.objects.get(username=str(Role.COMMAND_POST))
    load_demo_directives(incident, units, command_post, now)
    from tongxin.helpdesk.demo import load_demo_helpdesk

    load_demo_helpdesk(incident, now)
    from tongxin.tracing.demo import load_demo_tracing

    load_demo_tracing(incident, now)
    from tongxin.isolation.demo import load_demo_isolation

    load_demo_isolation(incident, now)
    from tongxin.supplies.demo import load_demo_supplies
    from tongxin.workforce.demo import load_demo_workforce

    load_demo_workforce(incident, now)
    load_demo_supplies(incident, now)
    # Last: the daily reports are built from everything above.
    from tongxin.command.demo import load_demo_command

    load_demo_command(incident, now)


def build_demo(
    *,
    scale: float = 1.0,
    force: bool = False,
    report: Callable[[str], None] | None = None,
    import_progress: Callable[[int, int], None] | None = None,
) -> DemoResult:
    """Create (or find) the whole demo county. Refuses a database holding other data unless
    `force`. `scale` < 1 keeps the places, units and staff but fewer residents (for tests)."""
    if not 0 < scale <= 1:
        raise DemoError(_("--scale 必须大于 0 且不大于 1"))
    others = other_counties()
    if others:
        # One county per install (the tree's single root; the importer relies on it), so
        # not even --force can put the demo beside a real county.
        raise DemoError(
            _("数据库中已有其他县（%(names)s），演示县不能与之并存。请使用单独的数据目录或数据库。")
            % {"names": "、".join(others)}
        )
    if not force:
        foreign = foreign_data()
        if foreign:
            raise DemoError(
                _("数据库中已有非演示数据（%(items)s），为免污染真实数据，演示数据未加载。")
                % {"items": "、".join(foreign)}
            )
    say = report or (lambda message: None)
    result = DemoResult()
    counter = _Counter()
    with acting_as(DEMO_ACTOR):
        started = time.monotonic()
        with transaction.atomic():
            had_county = demo_county() is not None
            tree = PlaceTree()
            named, households = build_places(tree)
            counter.counts["places"] = tree.created + (0 if had_county else 1)
            result.logins = build_units_and_staff(counter, named)
            incident = build_incident(counter)
        result.seconds["structure"] = time.monotonic() - started
        say(_("地点、单位和工作人员就绪（%(s).1f 秒）") % {"s": result.seconds["structure"]})

        started = time.monotonic()
        records = resident_records(households, scale)
        result.seconds["generate"] = time.monotonic() - started

        started = time.monotonic()
        residents = None
        checked_only = False
        if had_county:
            # A re-run: a dry run first, so that when nothing would change nothing is written
            # (a real run would at least add an import event to the audit trail).
            residents = import_records(records, user=None, dry_run=True)
            checked_only = not (residents.created or residents.updated)
            if not checked_only:
                residents = None
        if residents is None:
            residents = import_records(records, user=None, progress=import_progress)
        result.residents = residents
        result.seconds["import"] = time.monotonic() - started
        message = (
            _("居民名单核对无变化：%(rows)d 行（%(s).1f 秒）")
            if checked_only
            else _("居民导入完成：%(rows)d 行（%(s).1f 秒）")
        )
        say(message % {"rows": len(records), "s": result.seconds["import"]})

        started = time.monotonic()
        with transaction.atomic():
            build_operations(incident)
        result.seconds["operations"] = time.monotonic() - started
    result.created = counter.counts
    return result


def estate_figures() -> list[dict[str, Any]]:
    """The report's two estates as loaded: buildings, stairwells, households, people."""
    root = demo_county()
    figures: list[dict[str, Any]] = []
    if root is None:
        return figures
    for estate_spec in (spec.BIG_ESTATE, spec.SMALL_ESTATE):
        estate = (
            Place.objects.under(root)
            .filter(kind=PlaceKind.ESTATE, key=name_key(estate_spec.name))
            .first()
        )
        if estate is None:
            continue
        places = Place.objects.under(estate)
        people = Person.objects.under(estate)
        unit = Unit.objects.filter(assignments__place=estate).order_by("name").first()
        figures.append(
            {
                "estate": estate.name,
                "unit": unit.name if unit else "—",
                "buildings": places.filter(kind=PlaceKind.BUILDING).count(),
                "stairwells": places.filter(kind=PlaceKind.STAIRWELL).count(),
                "households": places.filter(kind=PlaceKind.HOUSEHOLD).count(),
                "registered": people.count(),
                "living": people.filter(
                    residence_status__in=[ResidenceStatus.RESIDENT, ResidenceStatus.TEMPORARY]
                ).count(),
            }
        )
    return figures
