"""The special-population registry and green channels for the demo county.

Picks existing demo residents deterministically (by age, sex and household, in path order,
through a seeded generator): dialysis patients in every township on Mon/Wed/Fri or
Tue/Thu/Sat (a few on a Sunday shift, so any "tomorrow" has a run), pregnant women, the
elderly living alone, chronic patients, people with disabilities, infants. Then the hospitals'
green-channel slots for today and tomorrow, and the runs: tomorrow's planned with its crew,
today's under way with some passengers already ticked off. Found-or-created: a re-run adds
nothing.
"""

import datetime as dt
import random
from typing import Any

from django.db import transaction
from django.db.models import Count, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from tongxin.accounts.models import Role, User
from tongxin.care.models import (
    CareNeed,
    GreenRun,
    Hospital,
    HospitalSlot,
    NeedKind,
    PassengerStatus,
)
from tongxin.care.services import runs, slots
from tongxin.incidents.models import Incident
from tongxin.people.models import Person, ResidenceStatus, Sex
from tongxin.places.models import Place, PlaceKind

SEED = "tongxin-care-demo"
COUNTY_HOSPITAL = "同心县人民医院"
MATERNITY_HOSPITAL = "同心县妇幼保健院"
# Dialysis patients per township; the first few of the busiest estate (zoned in the demo)
# show door pick-ups.
DIALYSIS_PER_TOWNSHIP = 7
SCHEDULES = ("135", "246", "135", "246", "357")  # 357: a Wednesday/Friday/Sunday shift
SESSION_TIMES = (dt.time(7, 30), dt.time(8, 0), dt.time(13, 0))
MEDICINES = (
    ("降压药（氨氯地平）", "每日一次，每月取药"),
    ("胰岛素", "每日两次，每两周取药"),
    ("降糖药（二甲双胍）", "每日两次，每月取药"),
    ("抗癫痫药（丙戊酸钠）", "每日两次，不可断药"),
    ("精神类药物（需按时取药）", "每日一次，每两周取药"),
)
DISABILITIES = (
    "肢体残疾二级，出行需轮椅",
    "视力残疾一级，需专人协助",
    "智力残疾，需监护人陪同",
    "听力残疾二级，电话联系请发短信",
)


def _age_between(on: dt.date, low: int, high: int) -> Q:
    """Born so that on `on` they are at least `low` and at most `high` years old."""
    latest = on.replace(year=on.year - low)
    earliest = on.replace(year=on.year - high - 1) + dt.timedelta(days=1)
    return Q(birth_date__gte=earliest, birth_date__lte=latest)


def _living_here() -> Any:
    return Person.objects.filter(
        residence_status__in=[ResidenceStatus.RESIDENT, ResidenceStatus.TEMPORARY]
    ).select_related("household")


def _pick(rng: random.Random, candidates: list[Person], n: int, taken: set[int]) -> list[Person]:
    pool = [p for p in candidates if p.pk not in taken]
    chosen = rng.sample(pool, min(n, len(pool)))
    chosen.sort(key=lambda p: (p.household.path, p.pk))
    taken.update(p.pk for p in chosen)
    return chosen


def _need(person: Person, kind: str, **values: Any) -> bool:
    _need_obj, created = CareNeed.objects.get_or_create(
        person=person, kind=kind, ended_on=None, defaults=values
    )
    return created


def _hospitals() -> tuple[Hospital, Hospital]:
    county_hospital, _c = Hospital.objects.get_or_create(
        name=COUNTY_HOSPITAL, defaults={"address": _("同心县城关街道人民路 1 号")}
    )
    maternity, _m = Hospital.objects.get_or_create(
        name=MATERNITY_HOSPITAL, defaults={"address": _("同心县城关街道健康路 8 号")}
    )
    return county_hospital, maternity


def _slots(hospital: Hospital, day: dt.date) -> None:
    for starts, ends, area, capacity in (
        (dt.time(7, 0), dt.time(11, 30), _("血透绿色通道A区"), 8),
        (dt.time(12, 30), dt.time(17, 0), _("血透绿色通道B区"), 8),
    ):
        if not HospitalSlot.objects.filter(
            hospital=hospital, date=day, starts_at=starts, area=area
        ).exists():
            slots.add_slot(hospital, day, starts, ends, area, capacity)


def _registry(on: dt.date, county_hospital: Hospital, maternity: Hospital) -> int:
    rng = random.Random(SEED)  # noqa: S311  (seeded on purpose: the same demo every time)
    taken: set[int] = set(CareNeed.objects.values_list("person_id", flat=True))
    created = 0
    townships = list(Place.objects.filter(kind=PlaceKind.TOWNSHIP).order_by("path"))
    busiest = (
        Place.objects.filter(kind=PlaceKind.ESTATE)
        .annotate(n=Count("children"))
        .filter(n__gt=0)
        .order_by("-n", "path")
        .first()
    )
    adults = _living_here().filter(_age_between(on, 40, 80)).order_by("household__path", "pk")
    # Each kind is filled only if none is registered yet, so a re-run adds nothing.
    if not CareNeed.objects.filter(kind=NeedKind.DIALYSIS).exists():
        schedule = 0
        for township in townships:
            pool = list(adults.filter(household__path__startswith=township.path))
            chosen: list[Person] = []
            if busiest is not None and busiest.path.startswith(township.path):
                inside = [p for p in pool if p.household.path.startswith(busiest.path)]
                chosen += _pick(rng, inside, 3, taken)
            chosen += _pick(rng, pool, DIALYSIS_PER_TOWNSHIP - len(chosen), taken)
            for person in chosen:
                created += _need(
                    person, NeedKind.DIALYSIS, hospital=county_hospital,
                    weekdays=SCHEDULES[schedule % len(SCHEDULES)],
                    session_time=SESSION_TIMES[schedule % len(SESSION_TIMES)],
                )  # fmt: skip
                schedule += 1
    fill = {
        NeedKind.PREGNANCY: _fill_pregnant,
        NeedKind.ELDERLY_ALONE: _fill_elderly_alone,
        NeedKind.CHRONIC: _fill_chronic,
        NeedKind.DISABILITY: _fill_disability,
        NeedKind.INFANT: _fill_infants,
    }
    for kind, filler in fill.items():
        if not CareNeed.objects.filter(kind=kind).exists():
            created += filler(rng, on, taken, maternity)
    return created


def _fill_pregnant(rng: random.Random, on: dt.date, taken: set[int], maternity: Hospital) -> int:
    women = list(
        _living_here()
        .filter(_age_between(on, 23, 36), sex=Sex.FEMALE)
        .order_by("household__path", "pk")
    )
    created = 0
    # Due dates from three days ahead (临产 soon) to four months ahead.
    for weeks, person in zip((0, 2, 5, 9, 13, 17), _pick(rng, women, 6, taken), strict=False):
        created += _need(
            person, NeedKind.PREGNANCY, hospital=maternity,
            due_date=timezone.localdate() + dt.timedelta(days=3 + 7 * weeks),
        )  # fmt: skip
    return created


def _fill_elderly_alone(rng: random.Random, on: dt.date, taken: set[int], _h: Hospital) -> int:
    alone = (
        Place.objects.filter(kind=PlaceKind.HOUSEHOLD)
        .annotate(n=Count("residents"))
        .filter(n=1)
        .values("pk")
    )
    old = list(
        _living_here()
        .filter(_age_between(on, 70, 110), household__in=alone)
        .order_by("household__path", "pk")
    )
    chosen = _pick(rng, old, 10, taken)
    return sum(_need(p, NeedKind.ELDERLY_ALONE, details=_("独居，子女在外地")) for p in chosen)


def _fill_chronic(rng: random.Random, on: dt.date, taken: set[int], _h: Hospital) -> int:
    pool = list(_living_here().filter(_age_between(on, 55, 90)).order_by("household__path", "pk"))
    created = 0
    for i, person in enumerate(_pick(rng, pool, 10, taken)):
        medicine, frequency = MEDICINES[i % len(MEDICINES)]
        created += _need(person, NeedKind.CHRONIC, medicine=medicine, frequency=frequency)
    return created


def _fill_disability(rng: random.Random, on: dt.date, taken: set[int], _h: Hospital) -> int:
    pool = list(_living_here().filter(_age_between(on, 18, 85)).order_by("household__path", "pk"))
    created = 0
    for i, person in enumerate(_pick(rng, pool, 4, taken)):
        created += _need(person, NeedKind.DISABILITY, details=DISABILITIES[i % len(DISABILITIES)])
    return created


def _fill_infants(rng: random.Random, on: dt.date, taken: set[int], _h: Hospital) -> int:
    # The demo's residents are few under three; take the youngest.
    youngest = list(
        _living_here().filter(birth_date__isnull=False).order_by("-birth_date", "pk")[:40]
    )
    chosen = _pick(rng, youngest, 5, taken)
    return sum(_need(p, NeedKind.INFANT) for p in chosen)


def _crew() -> tuple[User | None, User | None]:
    driver = User.objects.filter(role=Role.SUPPORT_TEAM, is_active=True).order_by("pk").first()
    escort = User.objects.filter(role=Role.TRANSFER, is_active=True).order_by("pk").first()
    return driver, escort


def load_demo_care(incident: Incident, now: dt.datetime) -> dict[str, Any]:
    """The registry, hospital slots for today and tomorrow, tomorrow's planned runs and today's
    runs under way, as of `now` (aware). Returns counts of what exists."""
    today = timezone.localdate(now)
    tomorrow = today + dt.timedelta(days=1)
    on = timezone.localdate(incident.started_at)
    driver, escort = _crew()
    with transaction.atomic():
        county_hospital, maternity = _hospitals()
        created = _registry(on, county_hospital, maternity)
        for day in (today, tomorrow):
            _slots(county_hospital, day)
        first_time = not GreenRun.objects.filter(date__in=[today, tomorrow]).exists()
        for day in (today, tomorrow):
            day_start = timezone.make_aware(dt.datetime.combine(day, dt.time.min))
            result = runs.plan_runs(day, incident=incident, at=max(now, day_start))
            if first_time:
                _crew_runs(result.runs, driver, escort)
        if first_time and driver is not None:
            _under_way(today, driver, now)
    return {"created": created, **counts(today, tomorrow)}


def _crew_runs(day_runs: list[GreenRun], driver: User | None, escort: User | None) -> None:
    """The busiest township's run gets the demo crew logins; the others a vehicle only, so the
    planning page shows what is still to be arranged."""
    for index, run in enumerate(sorted(day_runs, key=lambda r: -r.passengers.count())):
        run.vehicle = f"浙H·G{run.township_id % 100:02d}{index + 1:02d}"
        if index == 0:
            run.driver, run.escort = driver, escort
        run.save()


def _under_way(today: dt.date, driver: User, now: dt.datetime) -> None:
    """Today's crewed run: the first passengers have boarded, the first of them arrived."""
    run = GreenRun.objects.filter(date=today, driver=driver).first()
    if run is None:
        return
    passengers = list(run.passengers.order_by("at_door", "stop__order", "id"))
    boarded = passengers[: max(1, len(passengers) // 2)]
    for index, passenger in enumerate(boarded):
        if passenger.status == PassengerStatus.PLANNED:
            runs.check_off(driver, passenger.pk, runs.Stage.PICKUP, now=now)
        if index == 0:
            runs.check_off(driver, passenger.pk, runs.Stage.ARRIVAL, now=now)


def counts(today: dt.date, tomorrow: dt.date) -> dict[str, Any]:
    per_kind = dict(
        CareNeed.objects.current()
        .values_list("kind")
        .annotate(n=Count("id"))
        .values_list("kind", "n")
    )
    return {
        "needs": per_kind,
        "runs_today": GreenRun.objects.filter(date=today).count(),
        "runs_tomorrow": GreenRun.objects.filter(date=tomorrow).count(),
        "passengers_tomorrow": sum(
            r.passengers.count() for r in GreenRun.objects.filter(date=tomorrow)
        ),
    }
