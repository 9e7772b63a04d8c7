"""Shifts and assignments. A member is never on two overlapping shifts: the assignment is
written while the member's row is locked (SELECT … FOR UPDATE), so two people assigning the
same member at once queue, and the second sees the first's assignment."""

import datetime as dt
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from tongxin.workforce.models import Assignment, Member, Post, Qualification, Shift, ShiftDemand
from tongxin.workforce.services import WorkforceError
from tongxin.workforce.services.placement import check_placement


def create_shift(
    post: Post,
    starts_at: dt.datetime,
    ends_at: dt.datetime,
    demand: dict[str, int],
    *,
    label: str = "",
) -> Shift:
    if ends_at <= starts_at:
        raise WorkforceError(_("班次结束时间须晚于开始时间"))
    unknown = set(demand) - set(Qualification.values)
    if unknown:
        raise WorkforceError(_("未知资质：%(q)s") % {"q": "、".join(sorted(unknown))})
    with transaction.atomic():
        shift = Shift.objects.create(post=post, starts_at=starts_at, ends_at=ends_at, label=label)
        ShiftDemand.objects.bulk_create(
            ShiftDemand(shift=shift, qualification=q, count=n) for q, n in demand.items() if n > 0
        )
    return shift


def overlapping(member_id: int, starts_at: dt.datetime, ends_at: dt.datetime) -> Any:
    return Assignment.objects.filter(
        member_id=member_id, starts_at__lt=ends_at, ends_at__gt=starts_at
    )


def assign(
    shift: Shift,
    member: Member,
    qualification: str,
    *,
    by: Any = None,
    now: dt.datetime | None = None,
) -> Assignment:
    """Put a member on a shift. Refused when the member is not verified (checked first: a
    pending volunteer's skills are only what they said), lacks the qualification, lives in a
    zone the post is outside of, or already works an overlapping shift."""
    check_placement(member, shift.post, now or timezone.now())
    if qualification not in member.qualifications:
        raise WorkforceError(
            _("%(name)s 没有“%(q)s”资质")
            % {"name": member.name, "q": Qualification(qualification).label}
        )
    with transaction.atomic():
        Member.objects.select_for_update().filter(pk=member.pk).first()
        clash = (
            overlapping(member.pk, shift.starts_at, shift.ends_at)
            .select_related("shift__post")
            .first()
        )
        if clash is not None:
            if clash.shift_id == shift.pk:
                return clash
            raise WorkforceError(
                _("%(name)s 已排在 %(post)s %(start)s–%(end)s，班次时间重叠")
                % {
                    "name": member.name,
                    "post": clash.shift.post.name,
                    "start": timezone.localtime(clash.starts_at).strftime("%m-%d %H:%M"),
                    "end": timezone.localtime(clash.ends_at).strftime("%H:%M"),
                }
            )
        try:
            with transaction.atomic():
                return Assignment.objects.create(
                    shift=shift,
                    member=member,
                    qualification=qualification,
                    starts_at=shift.starts_at,
                    ends_at=shift.ends_at,
                    assigned_by=by if getattr(by, "pk", None) else None,
                )
        except IntegrityError:
            raise WorkforceError(_("%(name)s 已在该班次") % {"name": member.name}) from None


def unassign(assignment: Assignment) -> None:
    if assignment.attendances.exists():
        raise WorkforceError(_("已签到的排班不能取消"))
    assignment.delete()
