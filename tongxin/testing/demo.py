"""A round in progress for the demo county's big estate (城东嘉苑, 48 buildings).

Five test points around the estate, a staggered plan made when the round began (three hours
ago), a few exemptions and the first reminders marked by the cadre who has buildings 1–6.
Samples, results and the recalled pool are added by the sampling app's demo on this round.
Works on whatever tree is loaded; idempotent.
"""

import datetime as dt
from typing import Any

from django.db import transaction
from django.db.models import Count
from django.utils import timezone
from django.utils.translation import gettext as _

from tongxin.accounts.models import Role, User
from tongxin.incidents.models import Incident
from tongxin.places.models import Place, PlaceKind
from tongxin.testing.models import (
    ExemptionReason,
    PlanSlot,
    ReminderStatus,
    RoundStatus,
    TestPoint,
    TestRound,
)
from tongxin.testing.services import plans, reminders, rounds
from tongxin.testing.services.scope import should_test

BIG_ESTATE_NAME = "城东嘉苑"
ROUND_NAME = "城东嘉苑第1轮全员核酸"  # data, like the place names: not translated
POINTS = (  # name, samplers
    ("城东嘉苑东门采样点", 6),
    ("城东嘉苑西门采样点", 6),
    ("城东嘉苑南广场采样点", 6),
    ("城东嘉苑北门采样点", 5),
    ("城东嘉苑物业中心采样点", 5),
)
ROUND_HOURS = 12
STARTED_HOURS_AGO = 3


def _big_estate() -> Place | None:
    named = Place.objects.filter(kind=PlaceKind.ESTATE, name=BIG_ESTATE_NAME).first()
    if named is not None:
        return named
    return (
        Place.objects.filter(kind=PlaceKind.ESTATE)
        .annotate(n=Count("children"))
        .filter(n__gt=0)
        .order_by("-n", "path")
        .first()
    )


def _buildings(estate: Place) -> list[Place]:
    from tongxin.places.services import natural_key

    return sorted(Place.objects.filter(parent=estate, kind=PlaceKind.BUILDING), key=natural_key)


def load_demo_testing(incident: Incident, now: dt.datetime) -> dict[str, Any]:
    """Create the round (if missing) in `incident` as of `now` (aware). Returns what exists:
    {"created": bool, "round": TestRound | None, "points": n, "slots": n, "exemptions": n}."""
    existing = TestRound.objects.filter(incident=incident, name=ROUND_NAME).first()
    estate = _big_estate()
    if existing is not None or estate is None or not incident.is_open:
        return _summary(existing, created=False)
    chief = User.objects.filter(role=Role.COMMAND_POST, is_active=True).order_by("pk").first()
    local_now = timezone.localtime(now)
    start = local_now.replace(minute=0, second=0, microsecond=0) - dt.timedelta(
        hours=STARTED_HOURS_AGO
    )
    start = max(start, incident.started_at)
    deadline = start + dt.timedelta(hours=ROUND_HOURS)
    buildings = _buildings(estate)
    with transaction.atomic():
        round_ = rounds.create_round(incident, ROUND_NAME, start, deadline, [estate], by=chief)
        # Points open for the round's twelve hours, in the county's time.
        opens, closes = timezone.localtime(start).time(), timezone.localtime(deadline).time()
        quarter = max(1, len(buildings) // 4)
        for index, (name, samplers) in enumerate(POINTS):
            point = TestPoint.objects.filter(name=name).first() or rounds.create_point(
                name,
                estate,
                opens,
                closes,
                samplers,
                address=f"{estate.address} {name.removeprefix(estate.name)}",
            )
            # Four points take a quarter of the buildings each; the fifth serves the nearest.
            served = buildings[index * quarter : (index + 1) * quarter] if index < 4 else []
            if index == 3:
                served = buildings[3 * quarter :]
            rounds.attach_point(round_, point, served)
        _exemptions(round_, estate, chief)
        plans.make_plan(round_, by=chief)
        rounds.set_status(round_, RoundStatus.ACTIVE)
        _first_reminders(round_, now)
    return _summary(round_, created=True)


def _exemptions(round_: TestRound, estate: Place, by: User | None) -> None:
    expected = list(should_test(round_).order_by("household__path", "pk"))
    if len(expected) < 5:
        return
    # Spread over the estate (by position in the tree), so several buildings have one.
    picks = [
        (expected[int(share * len(expected))], reason, note)
        for share, reason, note in (
            (0.02, ExemptionReason.BEDRIDDEN, _("中风卧床，需上门采样")),
            (0.21, ExemptionReason.BEDRIDDEN, _("腿部骨折，行动不便")),
            (0.43, ExemptionReason.AWAY, _("在杭州出差")),
            (0.64, ExemptionReason.INFANT, _("未满3个月")),
            (0.87, ExemptionReason.ISOLATED, _("已在集中隔离点")),
        )
    ]
    for person, reason, note in picks:
        rounds.exempt(round_, person, reason, note, by=by)


def _first_reminders(round_: TestRound, now: dt.datetime) -> None:
    """The grid_staff login's cadre has rung the households of their earliest slots."""
    cadre = User.objects.filter(username=str(Role.GRID_STAFF), is_active=True).first()
    if cadre is None:
        return
    groups = reminders.reminder_groups(round_, cadre, cadre=cadre, reveal=False)
    rows = [row for group in groups for row in group.rows]
    for index, row in enumerate(rows[:60]):
        status = ReminderStatus.NO_ANSWER if index % 9 == 4 else ReminderStatus.REMINDED
        reminders.mark(round_, cadre, row.household.pk, status)


def _summary(round_: TestRound | None, *, created: bool) -> dict[str, Any]:
    if round_ is None:
        return {"created": False, "round": None, "points": 0, "slots": 0, "exemptions": 0}
    return {
        "created": created,
        "round": round_,
        "points": round_.round_points.count(),
        "slots": PlanSlot.objects.filter(round=round_).count(),
        "exemptions": round_.exemptions.count(),
        "people": should_test(round_).count(),
    }
