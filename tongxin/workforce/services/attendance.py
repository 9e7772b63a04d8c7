"""Check-in and check-out at a post (a post code scanned or typed on a phone), hours worked
and the fatigue warning.

Check-ins carry a client id: a phone that sends the same check-in twice (a retry after a
dropped connection) gets the same answer and one record."""

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from tongxin.incidents.models import Incident
from tongxin.workforce.models import Assignment, Attendance, Member, Post
from tongxin.workforce.services import WorkforceError, rule


@dataclass(frozen=True)
class Fatigue:
    hours: float  # worked in the current stretch (no rest of the minimum length in between)
    limit: float
    rest_hours: float

    @property
    def warning(self) -> bool:
        return self.hours > self.limit

    def message(self) -> str:
        if not self.warning:
            return ""
        return _("已连续工作 %(h).1f 小时（超过 %(limit)d 小时未休息），请安排轮休") % {
            "h": self.hours,
            "limit": self.limit,
        }


def stretch_hours(
    periods: list[tuple[dt.datetime, dt.datetime | None]], now: dt.datetime, rest: dt.timedelta
) -> float:
    """Hours worked since the last rest of at least `rest`: periods (check-in, check-out or
    None while on duty) are walked back from the latest; a break shorter than `rest` does not
    end the stretch."""
    ordered = sorted(periods, key=lambda p: p[0], reverse=True)
    total = dt.timedelta()
    stretch_start: dt.datetime | None = None
    for started, ended in ordered:
        end = min(ended or now, now)
        if stretch_start is not None and stretch_start - end >= rest:
            break
        total += max(end - started, dt.timedelta())
        stretch_start = started if stretch_start is None else min(stretch_start, started)
    return total.total_seconds() / 3600


def fatigue(member: Member, now: dt.datetime | None = None) -> Fatigue:
    now = now or timezone.now()
    limit = float(rule(member.incident, "fatigue_max_hours"))
    rest_hours = float(rule(member.incident, "fatigue_min_rest_hours"))
    since = now - dt.timedelta(hours=limit + rest_hours) * 3
    periods = list(
        Attendance.objects.filter(member=member, checked_in_at__gte=since, checked_in_at__lte=now)
        .values_list("checked_in_at", "checked_out_at")
        .order_by("-checked_in_at")
    )
    hours = stretch_hours(periods, now, dt.timedelta(hours=rest_hours))
    return Fatigue(hours=round(hours, 2), limit=limit, rest_hours=rest_hours)


@dataclass(frozen=True)
class CheckResult:
    attendance: Attendance
    fatigue: Fatigue
    repeated: bool = False


def post_by_code(code: str, member: Member) -> Post:
    post = Post.objects.filter(
        code=code.strip().upper(), incident_id=member.incident_id, active=True
    ).first()
    if post is None:
        raise WorkforceError(_("岗位码不正确"))
    return post


def _current_assignment(member: Member, post: Post, at: dt.datetime) -> Assignment | None:
    early = dt.timedelta(minutes=int(rule(member.incident, "checkin_early_minutes")))
    return (
        Assignment.objects.filter(
            member=member, shift__post=post, starts_at__lte=at + early, ends_at__gt=at
        )
        .order_by("starts_at")
        .first()
    )


def check_in(
    member: Member, code: str, *, client_id: str, at: dt.datetime | None = None
) -> CheckResult:
    """Check in at the post whose code was scanned or typed, for the member's shift there."""
    at = at or timezone.now()
    client_id = (client_id or "").strip()[:64]
    if not client_id:
        raise WorkforceError(_("缺少客户端编号"))
    done = Attendance.objects.filter(client_id_in=client_id, member=member).first()
    if done is not None:
        return CheckResult(done, fatigue(member, at), repeated=True)
    post = post_by_code(code, member)
    assignment = _current_assignment(member, post, at)
    if assignment is None:
        raise WorkforceError(_("您在 %(post)s 没有当前班次") % {"post": post.name})
    try:
        with transaction.atomic():
            attendance = Attendance.objects.create(
                member=member, post=post, assignment=assignment, checked_in_at=at,
                client_id_in=client_id,
            )  # fmt: skip
    except IntegrityError:
        existing = Attendance.objects.filter(client_id_in=client_id).first()
        if existing is not None and existing.member_id == member.pk:
            return CheckResult(existing, fatigue(member, at), repeated=True)
        open_one = Attendance.objects.filter(member=member, checked_out_at__isnull=True).first()
        if open_one is not None:
            raise WorkforceError(
                _("您在 %(post)s 的签到尚未签退") % {"post": open_one.post.name}
            ) from None
        raise WorkforceError(_("签到编号重复")) from None
    return CheckResult(attendance, fatigue(member, at))


def check_out(member: Member, *, client_id: str, at: dt.datetime | None = None) -> CheckResult:
    at = at or timezone.now()
    client_id = (client_id or "").strip()[:64]
    if not client_id:
        raise WorkforceError(_("缺少客户端编号"))
    done = Attendance.objects.filter(client_id_out=client_id, member=member).first()
    if done is not None:
        return CheckResult(done, fatigue(member, at), repeated=True)
    with transaction.atomic():
        attendance = (
            Attendance.objects.select_for_update()
            .filter(member=member, checked_out_at__isnull=True)
            .first()
        )
        if attendance is None:
            raise WorkforceError(_("您当前没有未签退的签到"))
        if at < attendance.checked_in_at:
            raise WorkforceError(_("签退时间早于签到时间"))
        attendance.checked_out_at = at
        attendance.client_id_out = client_id
        attendance.save(update_fields=["checked_out_at", "client_id_out"])
    return CheckResult(attendance, fatigue(member, at))


def hours_worked(member: Member, now: dt.datetime | None = None) -> float:
    now = now or timezone.now()
    return round(sum(a.hours(now) for a in member.attendances.all()), 2)


def stretches(incident: Incident, member_ids: Iterable[int], at: dt.datetime) -> dict[int, float]:
    """Hours in the current stretch of each member, in one query (for the coverage page and
    the figures: everyone on duty at once)."""
    rest = dt.timedelta(hours=float(rule(incident, "fatigue_min_rest_hours")))
    limit = float(rule(incident, "fatigue_max_hours"))
    window = at - (dt.timedelta(hours=limit) + rest) * 3
    periods: dict[int, list[tuple[dt.datetime, dt.datetime | None]]] = {}
    for member_id, start, end in Attendance.objects.filter(
        member_id__in=list(member_ids), checked_in_at__gte=window, checked_in_at__lte=at
    ).values_list("member_id", "checked_in_at", "checked_out_at"):
        periods.setdefault(member_id, []).append((start, end if end and end <= at else None))
    return {m: round(stretch_hours(p, at, rest), 2) for m, p in periods.items()}
