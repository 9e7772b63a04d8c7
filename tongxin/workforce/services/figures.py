"""The workforce's figures for the command picture and the organisation department: counts
only, never a name or a number."""

import datetime as dt
from collections import Counter
from typing import Any

from django.db.models import Count, Q
from django.utils import timezone

from tongxin.incidents.models import Incident
from tongxin.places.models import Place, PlaceKind
from tongxin.workforce.models import (
    PARTY_MEMBERS,
    Assignment,
    Attendance,
    Member,
    PartyBranch,
    PartyStatus,
    Verification,
)
from tongxin.workforce.services import rule
from tongxin.workforce.services.attendance import stretches
from tongxin.workforce.services.coverage import coverage

TOWNSHIP_PATH = 2 * Place.steplen


def figures(
    incident: Incident, *, area: Place | None = None, at: dt.datetime | None = None
) -> dict[str, Any]:
    at = at or timezone.now()
    members = Member.objects.filter(incident=incident)
    attendances = Attendance.objects.filter(member__incident=incident, checked_in_at__lte=at)
    if area is not None:
        members = members.filter(area__path__startswith=area.path)
        attendances = attendances.filter(post__place__path__startswith=area.path)
    staff = members.filter(is_volunteer=False)
    mobilised = dict(
        staff.order_by()
        .values_list("team__kind")
        .annotate(n=Count("id"))
        .values_list("team__kind", "n")
    )
    party = dict(
        members.exclude(party_status=PartyStatus.NONE)
        .order_by()
        .values_list("party_status")
        .annotate(n=Count("id"))
        .values_list("party_status", "n")
    )
    on_duty = attendances.filter(Q(checked_out_at__isnull=True) | Q(checked_out_at__gt=at))
    on_duty_ids = set(on_duty.values_list("member_id", flat=True))
    volunteers = members.filter(is_volunteer=True)
    volunteer_counts = volunteers.aggregate(
        registered=Count("id"),
        verified=Count("id", filter=Q(verification=Verification.VERIFIED)),
        on_duty=Count("id", filter=Q(pk__in=on_duty_ids)),
    )
    seconds = 0.0
    for start, end in attendances.values_list("checked_in_at", "checked_out_at"):
        finish = min(end or at, at)
        seconds += max((finish - start).total_seconds(), 0)
    # Party members by township: those with a shift at a post in the township.
    townships = {
        p.path: p.name for p in Place.objects.filter(kind=PlaceKind.TOWNSHIP).only("path", "name")
    }
    party_by_township: Counter[str] = Counter()
    seen: set[tuple[int, str]] = set()
    for member_id, path in (
        Assignment.objects.filter(
            member__incident=incident,
            member__party_status__in=PARTY_MEMBERS,
            shift__post__place__isnull=False,
        )
        .values_list("member_id", "shift__post__place__path")
        .distinct()
    ):
        township = townships.get(path[:TOWNSHIP_PATH])
        if township and (member_id, township) not in seen:
            seen.add((member_id, township))
            party_by_township[township] += 1
    branches = PartyBranch.objects.filter(incident=incident, founded_on__lte=at.date())
    branch_counts = branches.aggregate(
        founded=Count("id"),
        active=Count("id", filter=Q(dissolved_on__isnull=True) | Q(dissolved_on__gt=at.date())),
    )
    limit = float(rule(incident, "fatigue_max_hours"))
    over = sum(1 for h in stretches(incident, on_duty_ids, at).values() if h > limit)
    today = coverage(incident, timezone.localdate(at), township=area)
    return {
        "mobilised_by_kind": {k or "none": v for k, v in sorted(mobilised.items(), key=str)},
        "mobilised": sum(mobilised.values()),
        "party_members_by_status": {k: party.get(k, 0) for k in PartyStatus.values if k},
        "party_members_by_township": dict(sorted(party_by_township.items())),
        "party_members_on_duty": members.filter(
            pk__in=on_duty_ids, party_status__in=PARTY_MEMBERS
        ).count(),
        "branches": {"founded": branch_counts["founded"], "active": branch_counts["active"]},
        "volunteers": volunteer_counts,
        "on_duty": len(on_duty_ids),
        "hours": round(seconds / 3600, 1),
        "fatigue_warnings": over,
        "today": today.totals,
    }
