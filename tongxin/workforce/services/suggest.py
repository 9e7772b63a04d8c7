"""Suggested assignment: fill a day's gaps with qualified, verified, rested people near the
post, never breaking the placement rules (a volunteer from a sealed or controlled zone stays
inside it) and never double-booking anyone.

Everything is read in a handful of queries and decided in memory; `apply` writes the
proposals through `shifts.assign`, which checks every rule again under the member's lock."""

import datetime as dt
from collections import defaultdict, deque
from dataclasses import dataclass, field
from typing import Any

from django.utils import timezone

from tongxin.incidents.models import Incident
from tongxin.places.models import Place
from tongxin.workforce.models import Assignment, Member, Verification
from tongxin.workforce.services import WorkforceError, local_day, rule
from tongxin.workforce.services.coverage import coverage
from tongxin.workforce.services.shifts import assign
from tongxin.zones.services import effective_zones

TOWNSHIP_PATH = 2 * Place.steplen


@dataclass(frozen=True)
class Proposal:
    shift_id: int
    post: str
    member_id: int
    member: str
    qualification: str
    near: bool

    @property
    def label(self) -> str:
        from tongxin.workforce.services.coverage import QUALIFICATION_NAMES

        return str(QUALIFICATION_NAMES.get(self.qualification, self.qualification))

    def as_dict(self) -> dict[str, Any]:
        return {
            "shift": self.shift_id, "post": self.post, "member": self.member_id,
            "name": self.member, "qualification": self.qualification, "near": self.near,
        }  # fmt: skip


@dataclass
class Suggestion:
    day: dt.date
    proposals: list[Proposal] = field(default_factory=list)
    unfilled: int = 0

    def as_dict(self) -> dict[str, Any]:
        return {
            "date": self.day.isoformat(),
            "proposed": len(self.proposals),
            "unfilled": self.unfilled,
            "proposals": [p.as_dict() for p in self.proposals],
        }


@dataclass
class _Candidate:
    member_id: int
    name: str
    qualifications: list[str]
    township: str
    confined_to: str | None  # path prefix the member must stay under
    busy: list[tuple[dt.datetime, dt.datetime]]
    hours: float  # assigned within the window, for resting and fairness


def _candidates(incident: Incident, start: dt.datetime, end: dt.datetime) -> list[_Candidate]:
    """Verified members with a qualification, read as values (thousands of them: model
    instances with their audit snapshots would cost more than the whole decision)."""
    rows = list(
        Member.objects.filter(incident=incident, verification=Verification.VERIFIED)
        .exclude(qualifications=[])
        .values_list("pk", "name", "qualifications", "area_id", "home_id")
    )
    place_ids = {r[4] or r[3] for r in rows} - {None}
    places = {p.pk: p for p in Place.objects.filter(pk__in=place_ids).only("id", "path")}
    zones = effective_zones(list(places.values()), start, incident=incident)
    busy: dict[int, list[tuple[dt.datetime, dt.datetime]]] = defaultdict(list)
    for member_id, s, e in Assignment.objects.filter(
        shift__post__incident=incident,
        starts_at__lt=end,
        ends_at__gt=start - dt.timedelta(days=1),
    ).values_list("member_id", "starts_at", "ends_at"):
        busy[member_id].append((s, e))
    result = []
    for pk, name, quals, area_id, home_id in rows:
        place = places.get(home_id or area_id)
        zone = zones.get(place.pk) if place is not None else None
        confined = zone.place.path if zone is not None and zone.kind.leave_zone is False else None
        area = places.get(area_id) or place
        spans = busy.get(pk, [])
        result.append(
            _Candidate(
                member_id=pk,
                name=name,
                qualifications=list(quals or []),
                township=area.path[:TOWNSHIP_PATH] if area else "",
                confined_to=confined,
                busy=spans,
                hours=sum((e - s).total_seconds() for s, e in spans) / 3600,
            )
        )
    return result


def _free(c: _Candidate, s: dt.datetime, e: dt.datetime, max_hours: float) -> bool:
    worked = 0.0
    for bs, be in c.busy:
        if bs < e and be > s:
            return False
        if be > s - dt.timedelta(hours=24) and bs < e:
            worked += (be - bs).total_seconds() / 3600
    # Rested: the day's hours with this shift stay within the edition's limit.
    return worked + (e - s).total_seconds() / 3600 <= max_hours


def suggest(
    incident: Incident, day: dt.date, *, township: Place | None = None, posts: Any = None
) -> Suggestion:
    start, end = local_day(day)
    max_hours = float(rule(incident, "fatigue_max_hours"))
    report = coverage(incident, day, township=township, posts=posts)
    candidates = _candidates(incident, start, end)
    by_qualification: dict[str, list[_Candidate]] = defaultdict(list)
    for c in candidates:
        for q in c.qualifications:
            by_qualification[q].append(c)
    suggestion = Suggestion(day)
    # Shifts with the same hours see the same people free: the free are found once per window
    # (after the earlier windows' proposals), queued per qualification and township, least
    # worked first, and handed out; everyone taken in the window is skipped thereafter.
    windows: dict[tuple[dt.datetime, dt.datetime], list[Any]] = defaultdict(list)
    for sc in report.shifts:
        if sc.gap:
            windows[(sc.shift.starts_at, sc.shift.ends_at)].append(sc)
    for (s0, s1), shifts in sorted(windows.items(), key=lambda w: w[0]):
        free = sorted((c for c in candidates if _free(c, s0, s1, max_hours)), key=_by_hours)
        near: dict[tuple[str, str], deque[_Candidate]] = defaultdict(deque)
        anywhere: dict[str, deque[_Candidate]] = defaultdict(deque)
        confined: list[_Candidate] = []
        for c in free:
            if c.confined_to is not None:
                confined.append(c)
                continue
            for q in c.qualifications:
                near[(q, c.township)].append(c)
                anywhere[q].append(c)
        taken: set[int] = set()
        for sc in shifts:
            _fill(sc, near, anywhere, confined, taken, suggestion)
    return suggestion


def _by_hours(c: _Candidate) -> float:
    return c.hours


def _fill(
    sc: Any,
    near: dict[tuple[str, str], "deque[_Candidate]"],
    anywhere: dict[str, "deque[_Candidate]"],
    confined: list[_Candidate],
    taken: set[int],
    suggestion: Suggestion,
) -> None:
    shift, post = sc.shift, sc.post
    post_path = post.place_path
    post_township = post_path[:TOWNSHIP_PATH]
    for line in sc.lines:
        q = line.qualification
        chosen: list[tuple[_Candidate, bool]] = []
        need = line.gap
        # People who must stay inside a zone go first to the posts inside it.
        for c in confined:
            if len(chosen) >= need:
                break
            inside = bool(post_path) and post_path.startswith(c.confined_to or "\0")
            if inside and c.member_id not in taken and q in c.qualifications:
                taken.add(c.member_id)
                chosen.append((c, c.township == post_township))
        sources = ([near.get((q, post_township))] if post_township else []) + [anywhere.get(q)]
        for source in sources:
            while len(chosen) < need and source:
                c = source.popleft()
                if c.member_id not in taken:
                    taken.add(c.member_id)
                    chosen.append((c, bool(post_township) and c.township == post_township))
        for c, is_near in chosen:
            c.busy.append((shift.starts_at, shift.ends_at))
            c.hours += shift.hours
            suggestion.proposals.append(
                Proposal(shift.pk, post.name, c.member_id, c.name, q, is_near)
            )
        need -= len(chosen)
        suggestion.unfilled += need


def apply(suggestion: Suggestion, *, by: Any = None) -> tuple[int, list[str]]:
    """Write the proposals (each checked again); returns (assigned, refusals)."""
    from tongxin.workforce.models import Shift

    shifts = Shift.objects.select_related("post__place").in_bulk(
        {p.shift_id for p in suggestion.proposals}
    )
    members = Member.objects.select_related("incident__policy_edition", "home", "area").in_bulk(
        {p.member_id for p in suggestion.proposals}
    )
    done, refused = 0, []
    now = timezone.now()
    for p in suggestion.proposals:
        try:
            assign(shifts[p.shift_id], members[p.member_id], p.qualification, by=by, now=now)
            done += 1
        except WorkforceError as exc:
            refused.append(str(exc))
    return done, refused
