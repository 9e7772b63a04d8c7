"""Figures for any time window: received, answered (first contact made), closed, overdue,
median minutes to first contact and to closing, satisfaction — in total, per day and per
category. "880+ received, 840+ answered and closed" is `received` and `closed` of the window
from the evening of day 1 to the evening of day 3.

How they are counted (so a hand count can check them):
- a request belongs to the window, and to a day, by when it was received (county time);
  requests merged into another are not counted again (`merged` tells how many were);
- answered: the resident was reached (called, visited, delivered) by the end of the window;
- closed: closed now, and closed by the end of the window (closing requires having reached
  the resident, so every closed request is also answered);
- overdue: missed a time limit at any point (first contact or closing), or is past one now;
- satisfaction: of the requests followed up (回访) by the end of the window, the share whose
  latest follow-up was satisfied.
"""

import datetime as dt
import statistics
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from django.utils import timezone

from tongxin.helpdesk.models import Category, HelpRequest, Satisfaction, Status
from tongxin.incidents.models import Incident

FIELDS = (
    "received_at", "first_contact_at", "closed_at", "status", "category", "was_overdue",
    "cycle_contact_at", "contact_due_at", "close_due_at", "followed_up_at", "satisfaction",
)  # fmt: skip


@dataclass
class Figures:
    received: int = 0
    answered: int = 0
    closed: int = 0
    overdue: int = 0
    followed_up: int = 0
    satisfied: int = 0
    _to_contact: list[float] = field(default_factory=list, repr=False)
    _to_close: list[float] = field(default_factory=list, repr=False)

    @property
    def open(self) -> int:
        return self.received - self.closed

    @property
    def unsatisfied(self) -> int:
        return self.followed_up - self.satisfied

    @property
    def median_minutes_to_contact(self) -> float | None:
        return round(statistics.median(self._to_contact), 1) if self._to_contact else None

    @property
    def median_minutes_to_close(self) -> float | None:
        return round(statistics.median(self._to_close), 1) if self._to_close else None

    @property
    def satisfaction_rate(self) -> float | None:
        """Per cent of the followed-up requests that were satisfied."""
        return round(100 * self.satisfied / self.followed_up, 1) if self.followed_up else None

    def add(self, row: dict[str, Any], as_of: dt.datetime) -> None:
        self.received += 1
        received = row["received_at"]
        first = row["first_contact_at"]
        if first is not None and first <= as_of:
            self.answered += 1
            self._to_contact.append((first - received).total_seconds() / 60)
        closed = row["closed_at"]
        if row["status"] == Status.CLOSED and closed is not None and closed <= as_of:
            self.closed += 1
            self._to_close.append((closed - received).total_seconds() / 60)
        if _overdue(row, as_of):
            self.overdue += 1
        followed = row["followed_up_at"]
        if followed is not None and followed <= as_of:
            self.followed_up += 1
            if row["satisfaction"] == Satisfaction.SATISFIED:
                self.satisfied += 1

    def as_dict(self) -> dict[str, Any]:
        return {
            "received": self.received,
            "answered": self.answered,
            "closed": self.closed,
            "answered_and_closed": self.closed,
            "open": self.open,
            "overdue": self.overdue,
            "median_minutes_to_first_contact": self.median_minutes_to_contact,
            "median_minutes_to_close": self.median_minutes_to_close,
            "followed_up": self.followed_up,
            "satisfied": self.satisfied,
            "unsatisfied": self.unsatisfied,
            "satisfaction_rate": self.satisfaction_rate,
        }


def _overdue(row: dict[str, Any], as_of: dt.datetime) -> bool:
    if row["was_overdue"]:
        return True
    if row["status"] == Status.CLOSED:
        return False
    late_contact = row["cycle_contact_at"] is None and row["contact_due_at"] < as_of
    return bool(late_contact or row["close_due_at"] < as_of)


@dataclass
class Stats:
    start: dt.datetime
    end: dt.datetime
    as_of: dt.datetime
    total: Figures
    by_day: list[tuple[dt.date, Figures]]
    by_category: list[tuple[str, str, Figures]]
    by_day_category: dict[dt.date, dict[str, Figures]]
    merged: int = 0

    def as_dict(self) -> dict[str, Any]:
        labels = dict(Category.choices)
        return {
            "from": self.start.isoformat(),
            "to": self.end.isoformat(),
            "as_of": self.as_of.isoformat(),
            "total": self.total.as_dict(),
            "merged": self.merged,
            "by_day": [
                {
                    "day": day.isoformat(),
                    **figures.as_dict(),
                    "by_category": {
                        code: f.as_dict() for code, f in self.by_day_category.get(day, {}).items()
                    },
                }
                for day, figures in self.by_day
            ],
            "by_category": [
                {"category": code, "label": str(labels.get(code, code)), **f.as_dict()}
                for code, _label, f in self.by_category
            ],
        }


class WindowTooLong(ValueError):
    """A figures window longer than TONGXIN_STATS_MAX_DAYS: work on request stays bounded."""


def check_window(start: dt.datetime, end: dt.datetime) -> None:
    from django.conf import settings
    from django.utils.translation import gettext as _

    days = int(getattr(settings, "TONGXIN_STATS_MAX_DAYS", 366))
    if end - start > dt.timedelta(days=days):
        raise WindowTooLong(_("统计时段最长 %(days)s 天，请缩短时段") % {"days": days})


def _days(start: dt.datetime, end: dt.datetime) -> list[dt.date]:
    first = timezone.localdate(start)
    last = timezone.localdate(end - dt.timedelta(microseconds=1))
    return [first + dt.timedelta(days=i) for i in range((last - first).days + 1)]


def compute(
    start: dt.datetime,
    end: dt.datetime,
    *,
    user: Any = None,
    incident: Incident | None = None,
    now: dt.datetime | None = None,
) -> Stats:
    """Figures of the requests received in [start, end), as they stood at the end (or now,
    if the window has not ended). With a user, only the requests they may see."""
    check_window(start, end)
    now = now or timezone.now()
    as_of = min(end, now)
    qs = HelpRequest.objects.all() if user is None else HelpRequest.objects.visible_to(user)
    qs = qs.filter(received_at__gte=start, received_at__lt=end)
    if incident is not None:
        qs = qs.filter(incident=incident)
    merged = qs.filter(status=Status.MERGED).count()
    rows = qs.exclude(status=Status.MERGED).values(*FIELDS)

    total = Figures()
    per_day: dict[dt.date, Figures] = {day: Figures() for day in _days(start, end)}
    per_category: dict[str, Figures] = {code: Figures() for code in Category.values}
    per_day_category: dict[dt.date, dict[str, Figures]] = defaultdict(dict)
    for row in rows:
        day = timezone.localdate(row["received_at"])
        total.add(row, as_of)
        per_day.setdefault(day, Figures()).add(row, as_of)
        per_category.setdefault(row["category"], Figures()).add(row, as_of)
        per_day_category[day].setdefault(row["category"], Figures()).add(row, as_of)
    labels = dict(Category.choices)
    return Stats(
        start=start,
        end=end,
        as_of=as_of,
        total=total,
        by_day=sorted(per_day.items()),
        by_category=[
            (code, str(labels.get(code, code)), figures) for code, figures in per_category.items()
        ],
        by_day_category=dict(per_day_category),
        merged=merged,
    )
