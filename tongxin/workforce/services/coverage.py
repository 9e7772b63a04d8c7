"""Coverage: demand − assigned, per post and shift, by qualification; gaps first.

Three queries whatever the size of the day: the shifts (with their posts), the demands and the
assignment counts per shift and qualification."""

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

from django.db.models import Count
from django.utils import timezone

from tongxin.incidents.models import Incident
from tongxin.places.models import Place
from tongxin.workforce.models import Assignment, Qualification, Shift, ShiftDemand
from tongxin.workforce.services import local_day

QUALIFICATION_NAMES = dict(Qualification.choices)


@dataclass
class Line:
    qualification: str
    demand: int
    assigned: int

    @property
    def gap(self) -> int:
        return max(self.demand - self.assigned, 0)

    @property
    def label(self) -> str:
        return str(QUALIFICATION_NAMES.get(self.qualification, self.qualification))


@dataclass(frozen=True)
class PostRow:
    """What coverage needs of a post, read as values (no model instances)."""

    pk: int
    name: str
    kind: str
    code: str
    place_id: int | None
    place_path: str


@dataclass(frozen=True)
class ShiftRow:
    pk: int
    starts_at: dt.datetime
    ends_at: dt.datetime
    label: str

    @property
    def hours(self) -> float:
        return (self.ends_at - self.starts_at).total_seconds() / 3600


@dataclass
class ShiftCoverage:
    shift: ShiftRow
    post: PostRow
    lines: list[Line] = field(default_factory=list)

    @cached_property
    def demand(self) -> int:
        return sum(line.demand for line in self.lines)

    @cached_property
    def assigned(self) -> int:
        return sum(line.assigned for line in self.lines)

    @cached_property
    def gap(self) -> int:
        return sum(line.gap for line in self.lines)

    def as_dict(self) -> dict[str, Any]:
        return {
            "post": {
                "id": self.post.pk,
                "name": self.post.name,
                "kind": self.post.kind,
                "code": self.post.code,
                "place": self.post.place_id,
            },
            "shift": {
                "id": self.shift.pk,
                "label": self.shift.label,
                "starts_at": timezone.localtime(self.shift.starts_at).isoformat(),
                "ends_at": timezone.localtime(self.shift.ends_at).isoformat(),
            },
            "demand": {line.qualification: line.demand for line in self.lines},
            "assigned": {line.qualification: line.assigned for line in self.lines},
            "gap": {line.qualification: line.gap for line in self.lines},
            "total": {"demand": self.demand, "assigned": self.assigned, "gap": self.gap},
        }


@dataclass
class Coverage:
    day: dt.date
    township: Place | None
    shifts: list[ShiftCoverage]

    @property
    def totals(self) -> dict[str, int]:
        return {
            "shifts": len(self.shifts),
            "short_shifts": sum(1 for s in self.shifts if s.gap),
            "demand": sum(s.demand for s in self.shifts),
            "assigned": sum(s.assigned for s in self.shifts),
            "gap": sum(s.gap for s in self.shifts),
        }

    def as_dict(self) -> dict[str, Any]:
        return {
            "date": self.day.isoformat(),
            "township": self.township.pk if self.township else None,
            "totals": self.totals,
            "shifts": [s.as_dict() for s in self.shifts],
        }


def coverage(
    incident: Incident,
    day: dt.date,
    *,
    township: Place | None = None,
    posts: Any = None,
) -> Coverage:
    """The shifts starting on `day` (county time), under `township` if given, restricted to
    `posts` (a Post queryset, e.g. visible_to(user)) if given. Short shifts first."""
    start, end = local_day(day)
    shifts = Shift.objects.filter(post__incident=incident, starts_at__gte=start, starts_at__lt=end)
    if posts is not None:
        shifts = shifts.filter(post__in=posts)
    if township is not None:
        shifts = shifts.filter(post__place__path__startswith=township.path)
    rows = shifts.order_by("starts_at", "post__name", "pk").values_list(
        "pk", "starts_at", "ends_at", "label", "post_id", "post__name", "post__kind",
        "post__code", "post__place_id", "post__place__path",
    )  # fmt: skip
    post_rows: dict[int, PostRow] = {}
    shift_list: list[tuple[ShiftRow, PostRow]] = []
    for pk, s0, s1, label, post_id, name, kind, code, place_id, path in rows:
        post = post_rows.get(post_id)
        if post is None:
            post = post_rows[post_id] = PostRow(post_id, name, kind, code, place_id, path or "")
        shift_list.append((ShiftRow(pk, s0, s1, label), post))
    ids = [s.pk for s, _post in shift_list]
    demand: dict[int, dict[str, int]] = defaultdict(dict)
    for row in ShiftDemand.objects.filter(shift_id__in=ids).values_list(
        "shift_id", "qualification", "count"
    ):
        demand[row[0]][row[1]] = row[2]
    assigned: dict[int, dict[str, int]] = defaultdict(dict)
    for row in (
        Assignment.objects.filter(shift_id__in=ids)
        .order_by()
        .values_list("shift_id", "qualification")
        .annotate(n=Count("id"))
    ):
        assigned[row[0]][row[1]] = row[2]
    result = []
    order = {q: i for i, q in enumerate(Qualification.values)}
    for shift, post in shift_list:
        quals = sorted(
            set(demand[shift.pk]) | set(assigned[shift.pk]), key=lambda q: order.get(q, 99)
        )
        lines = [Line(q, demand[shift.pk].get(q, 0), assigned[shift.pk].get(q, 0)) for q in quals]
        result.append(ShiftCoverage(shift, post, lines))
    # Gaps first (the biggest first), then by start time.
    result.sort(key=lambda s: (-s.gap, s.shift.starts_at, s.post.name))
    return Coverage(day, township, result)
