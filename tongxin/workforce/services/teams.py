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
    if team.arrived_on is not None and on < team.arrived_on:
        raise WorkforceError(_("撤离日期早于抵达日期"))
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
    if branch.dissolved_on is not None:
        raise WorkforceError(_("支部已撤销"))
    if on < branch.founded_on:
        raise WorkforceError(_("撤销日期早于成立日期"))
    branch.dissolved_on = on
    branch.save()
    return branch


# --- teams and members from the pages --------------------------------------------------------

TEAM_FIELDS = (
    "name", "kind", "sending_org", "leader", "arrived_on", "departs_on", "lodging",
    "closed_loop", "test_every_days", "notes",
)  # fmt: skip


def _unique_team_name(incident: Any, name: str, team: Team | None = None) -> str:
    name = name.strip()
    if not name:
        raise WorkforceError(_("请填写队伍名称"))
    clash = Team.objects.filter(incident=incident, name=name)
    if team is not None:
        clash = clash.exclude(pk=team.pk)
    if clash.exists():
        raise WorkforceError(_("已有名为“%(n)s”的队伍") % {"n": name})
    return name


def create_team(incident: Any, **fields: Any) -> Team:
    """A reinforcement team or working group registered on the page."""
    values = {k: v for k, v in fields.items() if k in TEAM_FIELDS}
    values["name"] = _unique_team_name(incident, values.get("name", ""))
    values.pop("leader", None)  # a new team has no members yet
    return Team.objects.create(incident=incident, **values)


def update_team(team: Team, **fields: Any) -> Team:
    values = {k: v for k, v in fields.items() if k in TEAM_FIELDS}
    if "name" in values:
        values["name"] = _unique_team_name(team.incident, values["name"], team)
    leader = values.get("leader")
    if leader is not None and leader.team_id != team.pk:
        raise WorkforceError(_("领队须是本队队员"))
    departs, arrives = values.get("departs_on"), values.get("arrived_on")
    if departs and arrives and departs < arrives:
        raise WorkforceError(_("计划撤离日期早于抵达日期"))
    for key, value in values.items():
        setattr(team, key, value)
    team.save()
    return team


def _member_phone(incident: Any, raw: str, member: Member | None = None) -> str:
    from tongxin.core.phones import InvalidPhone, normalize_mobile

    try:
        phone = normalize_mobile(raw)
    except InvalidPhone:
        raise WorkforceError(_("手机号不正确")) from None
    clash = Member.objects.filter(incident=incident).with_phone(phone)
    if member is not None:
        clash = clash.exclude(pk=member.pk)
    if clash.exists():
        raise WorkforceError(_("该手机号已登记"))
    return phone


def _document(raw: str) -> str:
    from tongxin.core import idnumbers

    raw = raw.strip().upper()
    if not raw:
        return ""
    try:
        return idnumbers.parse(raw).number
    except idnumbers.InvalidIdNumber:
        raise WorkforceError(_("身份证号不正确")) from None


def _qualifications(values: list[str]) -> list[str]:
    from tongxin.workforce.models import Qualification

    unknown = set(values) - set(Qualification.values)
    if unknown:
        raise WorkforceError(_("未知资质：%(q)s") % {"q": "、".join(sorted(unknown))})
    return [q for q in Qualification.values if q in values]


def register_member(
    team: Team,
    *,
    name: str,
    phone: str,
    document_number: str = "",
    qualifications: list[str] | None = None,
    party_status: str = "",
) -> Member:
    """A member registered by hand (the list did not have them, or they came alone)."""
    name = name.strip()
    if not name:
        raise WorkforceError(_("请填写姓名"))
    return Member.objects.create(
        incident=team.incident, team=team, name=name[:50],
        phone=_member_phone(team.incident, phone), document_number=_document(document_number),
        qualifications=_qualifications(qualifications or []), party_status=party_status,
    )  # fmt: skip


def update_member(
    member: Member,
    *,
    name: str,
    phone: str = "",
    document_number: str = "",
    qualifications: list[str] | None = None,
    party_status: str = "",
    team: Team | None = None,
) -> Member:
    """Blank phone or ID number keeps the stored one (the page never shows them in full)."""
    name = name.strip()
    if not name:
        raise WorkforceError(_("请填写姓名"))
    member.name = name[:50]
    if phone.strip():
        member.phone = _member_phone(member.incident, phone, member)
    if document_number.strip():
        member.document_number = _document(document_number)
    member.qualifications = _qualifications(qualifications or [])
    member.party_status = party_status
    if team is not None:
        member.team = team
    member.save()
    return member


def open_account(member: Member, by: Any) -> str:
    """A login for the member (role 驰援/工作人员) to see their own shifts and check in: an
    account without a password and a one-time activation key (returned, shown once)."""
    from django.db import transaction

    from tongxin.accounts.activation import issue_activation
    from tongxin.accounts.models import Role, User
    from tongxin.accounts.staff import phone_owner, username_for

    with transaction.atomic():
        locked = Member.objects.select_for_update().get(pk=member.pk)
        if locked.user_id is not None:
            raise WorkforceError(_("%(name)s 已有登录账号") % {"name": member.name})
        if phone_owner(locked.phone) is not None:
            raise WorkforceError(_("该手机号已属于另一个账号，未新建账号"))
        user = User(
            username=username_for(locked.name), full_name=locked.name, role=Role.MEMBER,
            phone=locked.phone,
        )  # fmt: skip
        user.set_unusable_password()
        user.save()
        locked.user = user
        locked.save(update_fields=["user"])
        member.user = user
        return issue_activation(user, delivered_by=getattr(by, "username", ""))


# --- branches from the pages -----------------------------------------------------------------


def add_branch_members(branch: PartyBranch, members: list[Member]) -> int:
    if branch.dissolved_on is not None:
        raise WorkforceError(_("支部已撤销"))
    not_party = [m.name for m in members if not m.is_party_member]
    if not_party:
        raise WorkforceError(
            _("以下人员不是党员（正式或预备），不能编入支部：%(n)s") % {"n": "、".join(not_party)}
        )
    before = branch.members.count()
    branch.members.add(*members)
    return branch.members.count() - before


def remove_branch_member(branch: PartyBranch, member: Member) -> None:
    if branch.dissolved_on is not None:
        raise WorkforceError(_("支部已撤销"))
    if branch.secretary_id == member.pk:
        raise WorkforceError(_("请先另选书记"))
    branch.members.remove(member)


def set_secretary(branch: PartyBranch, member: Member) -> PartyBranch:
    if not branch.members.filter(pk=member.pk).exists():
        raise WorkforceError(_("书记须是本支部党员"))
    branch.secretary = member
    branch.save()
    return branch


# --- volunteer organisations -----------------------------------------------------------------


def create_organisation(incident: Any, name: str, kind: str) -> Any:
    from tongxin.workforce.models import OrgKind, VolunteerOrg

    name = name.strip()
    if not name:
        raise WorkforceError(_("请填写组织名称"))
    if kind not in OrgKind.values:
        raise WorkforceError(_("组织类别无法识别"))
    if VolunteerOrg.objects.filter(incident=incident, name=name).exists():
        raise WorkforceError(_("已有名为“%(n)s”的志愿组织") % {"n": name})
    return VolunteerOrg.objects.create(incident=incident, name=name, kind=kind)


def set_coordinator(organisation: Any, member: Member) -> Any:
    if member.organisation_id != organisation.pk:
        raise WorkforceError(_("协调人须是本组织的志愿者"))
    organisation.coordinator = member
    organisation.save()
    return organisation


def set_branch_posts(branch: PartyBranch, posts: list[Any]) -> PartyBranch:
    """The posts the branch covers (党员先锋岗 and the like)."""
    if branch.dissolved_on is not None:
        raise WorkforceError(_("支部已撤销"))
    if any(p.incident_id != branch.incident_id for p in posts):
        raise WorkforceError(_("岗位不属于本次响应"))
    branch.posts.set(posts)
    return branch
