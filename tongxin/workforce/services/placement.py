"""Who may be placed where: staff verify volunteers first, and someone living in a zone that
may not be left (封控区/管控区; the edition's `leave_zone: false`) works only inside it.

The zone comes from the registry: the household the member's ID number is registered at, or
failing that the area they gave."""

import datetime as dt

from django.utils.translation import gettext as _

from tongxin.workforce.models import Member, Post, Verification
from tongxin.workforce.services import WorkforceError
from tongxin.zones.services import ZoneInfo, effective_zone


def confinement(member: Member, at: dt.datetime | None = None) -> ZoneInfo | None:
    """The zone the member may not leave, or None."""
    place = member.home or member.area
    if place is None:
        return None
    info = effective_zone(place, at, incident=member.incident)
    if info is not None and info.kind.leave_zone is False:
        return info
    return None


def placement_problem(member: Member, post: Post, at: dt.datetime | None = None) -> str:
    """Why the member cannot work at the post ("" when they can)."""
    if member.verification != Verification.VERIFIED:
        return _("%(name)s 尚未通过核验，不能排班") % {"name": member.name}
    zone = confinement(member, at)
    if zone is not None:
        inside = post.place is not None and post.place.path.startswith(zone.place.path)
        if not inside:
            return _("%(name)s 居住在%(zone)s（%(place)s），只能在该区域内安排岗位") % {
                "name": member.name,
                "zone": zone.name,
                "place": zone.place.name,
            }
    return ""


def check_placement(member: Member, post: Post, at: dt.datetime | None = None) -> None:
    problem = placement_problem(member, post, at)
    if problem:
        raise WorkforceError(problem)
