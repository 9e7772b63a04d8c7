"""Test helpers for the isolation app (test-only; needs the dev extras)."""

import datetime as dt
from typing import Any, cast

from tongxin.accounts.models import Role, User
from tongxin.factories import PersonFactory, UserFactory, household, make_id_number
from tongxin.incidents.models import Incident, PolicyEdition
from tongxin.incidents.services import open_incident
from tongxin.isolation.models import RoomType, Site, SiteKind, TransferEntry
from tongxin.isolation.services.sites import add_rooms, create_site
from tongxin.isolation.services.transfer_list import add_entry
from tongxin.people.models import Person
from tongxin.places.models import Place

# 2022-03-05 20:00 in the county.
START = dt.datetime(2022, 3, 5, 12, 0, tzinfo=dt.UTC)


def edition(code: str = "np-8") -> PolicyEdition:
    """The bundled edition with the isolation rules (reloaded when a transactional test
    emptied the tables, or another fixture reloaded the editions from their file)."""
    found = PolicyEdition.objects.filter(code=code).first()
    if found is None or "isolation" not in found.rules:
        from tongxin.incidents.services import load_policy_editions
        from tongxin.isolation.editions import add_isolation_rules

        if found is None:
            load_policy_editions()
        add_isolation_rules(PolicyEdition)
    return PolicyEdition.objects.get(code=code)


def incident(code: str = "np-8", name: str = "2022-03 开化疫情") -> Incident:
    return open_incident(name, edition(code), START)


def planner() -> User:
    return cast(User, UserFactory(role=Role.COMMAND_POST, full_name="指挥部转运组"))


def site_with_rooms(
    name: str = "城北隔离点", *, floors: tuple[int, ...] = (2, 3), per_floor: int = 4,
    accessible: int = 0, multi: int = 0, lead: User | None = None,
    staff: tuple[User, ...] = (),
) -> Site:  # fmt: skip
    building = household("城北酒店", "1", "1", community="北门社区").parent
    assert building is not None and building.parent is not None
    place = building.parent
    site = create_site(
        name=name, place=place, kind=SiteKind.HOTEL, address="城北路1号", lead=lead,
        staff=staff,
    )  # fmt: skip
    add_rooms(site, floors, per_floor)
    if accessible:
        add_rooms(site, [1], accessible, type=RoomType.ACCESSIBLE)
    if multi:
        add_rooms(site, [9], multi, type=RoomType.MULTI, beds=3)
    return site


def resident(home: Place | None = None, *, age: int = 40, name: str | None = None) -> Person:
    year = dt.date.today().year - age - 1  # Person.age counts from today
    kwargs: dict[str, Any] = {"document_number": make_id_number(birth=f"{year}0101")}
    if name:
        kwargs["name"] = name
    if home is not None:
        kwargs["household"] = home
    return cast(Person, PersonFactory(**kwargs))


def listed(
    inc: Incident, person: Person, level: str = "close", *, by: User | None = None,
    exposure: dt.datetime | None = None, **needs: Any,
) -> TransferEntry:  # fmt: skip
    return add_entry(
        by, inc, person, level=level, reason="与病例同住", last_exposure=exposure or START,
        **needs,
    )  # fmt: skip


def outside_listed(
    inc: Incident, *, name: str = "外地访客", level: str = "close",
    exposure: dt.datetime | None = None, document_number: str | None = None,
) -> TransferEntry:  # fmt: skip
    """A person tracing found outside the registry, on the transfer list as tracing puts them."""
    from types import SimpleNamespace

    from tongxin.isolation.services.tracing_feed import _add_outside
    from tongxin.tracing.models import OutsidePerson

    number = make_id_number("361102") if document_number is None else document_number
    outside = OutsidePerson.objects.create(
        incident=inc, name=name, document_number=number, address="江西省上饶市"
    )
    due = SimpleNamespace(level=level, reason="与病例同乘", last_exposure=exposure or START)
    return _add_outside(inc, outside, due, "")


def admitted(
    entry: TransferEntry, site: Site, *, planner: User, escort: User, at: dt.datetime = START
) -> Any:
    """The entry taken to the site in a batch of one and received there: their stay."""
    from tongxin.isolation.models import Outcome, Stay
    from tongxin.isolation.services import batches as b
    from tongxin.isolation.services.allocation import allocate_batch

    batch = b.create_batch(
        planner, entry.incident, site, [entry], vehicle_plate="浙H8", seats=5, planned_at=at,
        escort=escort,
    )  # fmt: skip
    allocate_batch(planner, batch)
    member = batch.members.get()
    b.record_outcome(escort, member, Outcome.BOARDED, at=at)
    lead = site.lead or planner
    b.receive(lead, batch, [member.pk], at=at)
    return Stay.objects.select_related("entry", "site", "room", "incident").get(entry=entry)
