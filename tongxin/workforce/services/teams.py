"""Teams and temporary party branches (临时党支部)."""

import datetime as dt
from typing import Any

from django.utils.translation import gettext as _

from tongxin.workforce.models import BranchActivity, Member, PartyBranch, Team
from tongxin.workforce.services import WorkforceError, rule


def demobilise(team: Team, on: dt.date) -> Team:
    """撤离: the edition's post-duty observation (健康观察) runs from the day after."""
    if team.demobilised_on is not None:
        raise WorkforceError(_("该队伍已撤离"))
    days = int(rule(team.incident, "post_duty_observation_days") or 0)
    team.demobilised_on = on
    team.observation_until = on + dt.timedelta(days=days) if days else None
    team.save()
    return team


def found_branch(
    incident: Any,
    name: str,
    *,
    scope: str,
    founded_on: dt.date,
    secretary: Member | None = None,
    members: list[Member] | None = None,
    **where: Any,
) -> PartyBranch:
    members = members or []
    if secretary is not None and secretary not in members:
        members = [secretary, *members]
    not_party = [m.name for m in members if not m.is_party_member]
    if not_party:
        raise WorkforceError(
            _("以下人员不是党员（正式或预备），不能编入支部：%(n)s") % {"n": "、".join(not_party)}
        )
    branch = PartyBranch.objects.create(
        incident=incident, name=name, scope=scope, founded_on=founded_on, secretary=secretary,
        **where,
    )  # fmt: skip
    branch.members.set(members)
    return branch


def log_activity(
    branch: PartyBranch, kind: str, title: str, at: dt.datetime, note: str = ""
) -> BranchActivity:
    if branch.dissolved_on is not None and at.date() > branch.dissolved_on:
        raise WorkforceError(_("支部已撤销"))
    return BranchActivity.objects.create(branch=branch, kind=kind, title=title, at=at, note=note)


def dissolve(branch: PartyBranch, on: dt.date) -> PartyBranch:
    if on < branch.founded_on:
        raise WorkforceError(_("撤销日期早于成立日期"))
    branch.dissolved_on = on
    branch.save()
    return branch
