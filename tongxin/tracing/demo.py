"""The demo incident's 流调: venues, a few days of check-ins, three cases (one from the demo
recall's pool when there is one, one a 密接 who turned positive, one reported by another
county) and contacts at every level — confirmed, isolated, waiting for confirmation.

Everything is relative to `now`; loading again finds the cases and adds nothing.
"""

import datetime as dt
import random
from typing import Any

from tongxin.accounts.models import Role, User
from tongxin.audit.context import Actor, acting_as
from tongxin.core.idnumbers import check_char
from tongxin.incidents.models import Incident
from tongxin.people.models import Person
from tongxin.places.models import PlaceKind
from tongxin.sampling.models import PositivePerson, RecallMember
from tongxin.tracing.models import (
    Case,
    Channel,
    CheckIn,
    Contact,
    ContactStatus,
    ExposureType,
    Level,
    Management,
    OutsidePerson,
    Venue,
    VenueKind,
)
from tongxin.tracing.services import confirm_contacts, mark_isolated
from tongxin.tracing.services.cases import (
    case_from_positive,
    create_case,
    mark_step_done,
    prefill_timeline,
)
from tongxin.tracing.services.checkins import import_rows
from tongxin.tracing.services.derive import Found, derive_for_case, store

SEED = 20220311

VENUES = [
    ("KH-0001", "同心超市（芹阳店）", VenueKind.SUPERMARKET, "芹阳办事处解放街12号"),
    ("KH-0002", "城关农贸市场", VenueKind.MARKET, "芹阳办事处城关路8号"),
    ("KH-0003", "老街面馆", VenueKind.RESTAURANT, "芹阳办事处老街33号"),
    ("KH-0004", "县人民医院门诊楼", VenueKind.HOSPITAL, "芹阳办事处人民路1号"),
    ("KH-0005", "开化汽车站", VenueKind.TRANSPORT, "芹阳办事处江滨路2号"),
    ("KH-0006", "星光KTV", VenueKind.ENTERTAINMENT, "芹阳办事处新城大道66号"),
]


def make_id_number(region: str, rng: random.Random) -> str:
    first17 = f"{region}{rng.randint(1960, 2005)}{rng.randint(1, 12):02d}{rng.randint(1, 28):02d}"
    first17 += f"{rng.randint(0, 999):03d}"
    return first17 + check_char(first17)


def _summary(incident: Incident, created: bool) -> dict[str, Any]:
    ms = Management.objects.filter(incident=incident)
    return {
        "created": created,
        "cases": Case.objects.filter(incident=incident).count(),
        "venues": Venue.objects.count(),
        "check_ins": CheckIn.objects.filter(incident=incident).count(),
        "contacts": {lv: ms.filter(level=lv).count() for lv in Level.values},
        "candidates": Contact.objects.filter(
            incident=incident, status=ContactStatus.CANDIDATE
        ).count(),
    }


def _row(
    venue: str, person: Person | OutsidePerson, at: dt.datetime, minutes: int
) -> dict[str, Any]:
    return {
        "venue_code": venue,
        "document_number": person.document_number,
        "phone": person.phone,
        "name": person.name,
        "entered_at": at.isoformat(),
        "exited_at": (at + dt.timedelta(minutes=minutes)).isoformat(),
    }


def _day(now: dt.datetime, days_ago: int, hour: int, minute: int = 0) -> dt.datetime:
    from django.utils import timezone

    local = timezone.localtime(now) - dt.timedelta(days=days_ago)
    return local.replace(hour=hour, minute=minute, second=0, microsecond=0)


def load_demo_tracing(incident: Incident, now: dt.datetime) -> dict[str, Any]:
    if Case.objects.filter(incident=incident).exists():
        return _summary(incident, created=False)
    investigator = User.objects.filter(role=Role.INVESTIGATOR, is_active=True).first()
    actor = Actor(
        user=investigator,
        label=investigator.get_username() if investigator else "demo",
        channel="cli",
    )
    with acting_as(actor):
        _load(incident, now, investigator)
    return _summary(incident, created=True)


def _load(incident: Incident, now: dt.datetime, investigator: User | None) -> None:
    rng = random.Random(SEED)  # noqa: S311  (the same demo every time, not a secret)
    for code, name, kind, address in VENUES:
        Venue.objects.get_or_create(
            code=code, defaults={"name": name, "kind": kind, "address": address}
        )
    # Residents of flats (a stairwell above the household), so the floor rule has neighbours.
    flats = Person.objects.filter(household__parent__kind=PlaceKind.STAIRWELL).order_by("pk")
    pool = list(flats[:4000])
    if len(pool) < 60:
        pool = list(Person.objects.order_by("pk")[:4000])
    if len(pool) < 20:
        return
    rng.shuffle(pool)

    # 病例1: the demo recall's positive, or a member of its pool, or a resident of a flat.
    positive = (
        PositivePerson.objects.filter(round__incident=incident).select_related("person").first()
    )
    member = (
        RecallMember.objects.filter(recall__round__incident=incident)
        .select_related("person")
        .first()
    )
    first = positive.person if positive else member.person if member else pool[0]
    pool = [p for p in pool if p.household_id != first.household_id]
    close_venue, close_late, bystanders, secondary = pool[:6], pool[6:8], pool[8:12], pool[12:16]
    companions, general, background = pool[16:18], pool[18:19], pool[19:200]
    visitor = OutsidePerson.objects.create(
        incident=incident,
        name="柯城访客",
        document_number=make_id_number(region="330802", rng=rng),
        phone="13957000000",
        county="衢州市柯城区",
    )

    rows = []
    at_supermarket: list[Person | OutsidePerson] = [first, *close_venue, visitor]
    for person in at_supermarket:
        rows.append(_row("KH-0001", person, _day(now, 3, 10), 50))  # the supermarket, 50 min
    for person in bystanders:  # at the supermarket too, but only 10 minutes with 病例1
        rows.append(_row("KH-0001", person, _day(now, 3, 10, 40), 30))
    rows.append(_row("KH-0003", first, _day(now, 2, 18), 60))
    for person in close_late:
        rows.append(_row("KH-0003", person, _day(now, 2, 18, 15), 60))
    # A 密接 sang at the KTV the next evening, before being isolated: 次密接 there.
    rows.append(_row("KH-0006", close_venue[0], _day(now, 1, 20), 120))
    for person in secondary:
        rows.append(_row("KH-0006", person, _day(now, 1, 20, 30), 90))
    for person in background:
        code = rng.choice([v[0] for v in VENUES])
        at = _day(now, rng.randint(1, 5), rng.randint(7, 20), rng.choice([0, 15, 30, 45]))
        rows.append(_row(code, person, at, rng.choice([20, 30, 45, 60, 90])))
    import_rows(incident, rows, name="demo-checkins.csv", by=investigator)

    reported = _day(now, 1, 6)
    if positive is not None:
        case1 = case_from_positive(positive, channel=Channel.COMMUNITY, by=investigator)
    else:
        case1 = create_case(
            incident,
            person=first,
            channel=Channel.COMMUNITY,
            reported_at=reported,
            first_positive_at=reported - dt.timedelta(hours=10),
            onset_date=_day(now, 2, 0).date(),
            by=investigator,
        )
    prefill_timeline(case1)
    mark_step_done(case1, "core_information", reported + dt.timedelta(hours=3))
    contacts = derive_for_case(case1)
    confirm_contacts(
        [c for c in contacts if c.management.person_id != close_late[-1].pk], investigator
    )

    # 次密接 of the 密接 at the KTV; confirm all but one.
    secondary_contacts = [c for c in derive_for_case(case1) if c.source_management_id]
    confirm_contacts(secondary_contacts[:-1], investigator)

    # One 密接 already in isolation (the KTV visit was before it).
    isolated = Management.objects.filter(incident=incident, person=close_venue[1]).first()
    if isolated is not None and isolated.level:
        mark_isolated(isolated.pk, _day(now, 0, 2))

    # A 密接 who turned positive: 病例2, keeping their links to 病例1.
    case2 = create_case(
        incident,
        person=close_venue[2],
        channel=Channel.ISOLATION_SITE,
        reported_at=_day(now, 0, 5),
        first_positive_at=_day(now, 0, 3),
        source_case=case1,
        by=investigator,
    )
    confirm_contacts(derive_for_case(case2), investigator)

    # 病例3: reported by another county; a check-in of theirs here.
    traveller = OutsidePerson.objects.create(
        incident=incident,
        name="外地病例",
        document_number=make_id_number(region="330881", rng=rng),
        county="江山市",
    )
    create_case(
        incident,
        outside=traveller,
        channel=Channel.ASSIST,
        reported_at=_day(now, 0, 8),
        first_positive_at=_day(now, 1, 9),
        by=investigator,
    )

    # 时空伴随者 and 一般接触者 from the investigators' own work (people not yet linked).
    linked = set(
        Management.objects.filter(incident=incident, person__isnull=False).values_list(
            "person_id", flat=True
        )
    )
    free = [p for p in [*companions, *general, *background] if p.pk not in linked]
    companions, general = free[:2], free[2:3]
    found = [
        Found(p.pk, None, Level.COMPANION, ExposureType.OTHER, _day(now, 3, 10), _day(now, 3, 11),
              "时空伴随：同一800米网格停留超过10分钟", "manual")
        for p in companions
    ] + [
        Found(p.pk, None, Level.GENERAL, ExposureType.WORK, _day(now, 4, 9), _day(now, 4, 17),
              "同单位不同楼层办公", "manual")
        for p in general
    ]  # fmt: skip
    confirm_contacts(store(incident.pk, found, source_case=case1), investigator)
