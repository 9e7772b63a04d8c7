"""A sending organisation's member list in, with per-row errors.

Read by tongxin.imports' readers (`imports.sheets.read_sheet`). Every data row ends up
created, updated (same phone already in the incident: name, qualifications, party status or
team changed), unchanged, or rejected with its reason, so rows = created + updated +
unchanged + rejected."""

import re
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.db import transaction
from django.utils.translation import gettext_lazy as _

from tongxin.core import idnumbers
from tongxin.core.masking import mask_in_text
from tongxin.core.phones import InvalidPhone, normalize_mobile
from tongxin.imports.readers import display_text
from tongxin.imports.sheets import read_sheet
from tongxin.incidents.models import Incident
from tongxin.workforce.models import (
    Member,
    OrgKind,
    PartyStatus,
    Qualification,
    Team,
    TeamKind,
    Verification,
    VolunteerOrg,
)
from tongxin.workforce.services.volunteers import registry_household

COLUMNS: dict[str, tuple[str, ...]] = {
    "name": ("姓名", "名字"),
    "phone": ("手机号", "联系电话", "电话", "手机"),
    "document": ("身份证号", "身份证号码", "证件号码"),
    "qualification": ("资质", "专业", "岗位类别", "技能", "专长"),
    "party": ("政治面貌", "党员", "是否党员"),
    "team": ("队伍", "所属队伍", "队伍名称"),
    "sending_org": ("派出单位", "单位", "所在单位"),
    "kind": ("队伍类别", "类别"),
}
REQUIRED = ("name", "phone")

REASONS: dict[str, Any] = {
    "missing_name": _("缺少姓名"),
    "invalid_phone": _("手机号无效"),
    "invalid_document": _("身份证号无效"),
    "unknown_qualification": _("资质无法识别"),
    "missing_team": _("缺少队伍"),
    "duplicate": _("与前面的行重复"),
}

_QUALIFICATIONS = {str(label): code for code, label in Qualification.choices} | {
    code: code for code in Qualification.values
} | {
    "采样员": "sampling", "采样人员": "sampling", "检验": "testing", "流调员": "tracing",
    "医生": "medical", "护士": "medical", "医疗": "medical", "民警": "police", "警察": "police",
    "驾驶员": "driver", "心理咨询": "psych", "登记员": "registrar", "信息登记": "registrar",
}  # fmt: skip
_PARTY = {
    "中共党员": PartyStatus.FULL, "党员": PartyStatus.FULL, "正式党员": PartyStatus.FULL,
    "是": PartyStatus.FULL, "预备党员": PartyStatus.PROBATIONARY,
    "中共预备党员": PartyStatus.PROBATIONARY, "入党申请人": PartyStatus.APPLICANT,
    "入党积极分子": PartyStatus.APPLICANT,
}  # fmt: skip
_KINDS = {str(label): code for code, label in TeamKind.choices} | {
    "医疗队": "medical", "医护": "medical", "警察": "police", "救援队": "rescue",
    "干部": "cadres", "机关干部": "cadres", "运输": "transport",
}  # fmt: skip
_SPLIT = re.compile(r"[、,，/;；\s]+")


@dataclass
class MemberImport:
    rows: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    rejected: int = 0
    rejected_reasons: Counter[str] = field(default_factory=Counter)
    problems: list[dict[str, Any]] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return {
            "rows": self.rows,
            "created": self.created,
            "updated": self.updated,
            "unchanged": self.unchanged,
            "rejected": self.rejected,
            "rejected_reasons": dict(sorted(self.rejected_reasons.items())),
            "problems": self.problems,
        }


class _Reject(Exception):
    def __init__(self, code: str, detail: str = "") -> None:
        super().__init__(code)
        self.code = code
        self.detail = detail


def _qualifications(raw: str) -> list[str]:
    found: list[str] = []
    for word in _SPLIT.split(raw):
        if not word:
            continue
        code = _QUALIFICATIONS.get(word)
        if code is None:
            raise _Reject("unknown_qualification", word)
        if code not in found:
            found.append(code)
    return found


def _team(incident: Incident, name: str, kind_raw: str, org: str, cache: dict[str, Team]) -> Team:
    if name not in cache:
        team, _created = Team.objects.get_or_create(
            incident=incident,
            name=name,
            defaults={"kind": _KINDS.get(kind_raw, TeamKind.OTHER), "sending_org": org},
        )
        cache[name] = team
    return cache[name]


def import_members(
    path: Path, incident: Incident, *, team: str = "", kind: str = "", organisation: str = ""
) -> MemberImport:
    """A team's list (`team`), or a volunteer organisation's (`organisation`): its people come
    in as volunteers waiting for staff verification, each with their registry household."""
    table = read_sheet(path, COLUMNS, REQUIRED)
    org = None
    if organisation:
        org, _new = VolunteerOrg.objects.get_or_create(
            incident=incident, name=organisation, defaults={"kind": OrgKind.OTHER}
        )
    result = MemberImport()
    teams: dict[str, Team] = {}
    seen: set[str] = set()
    existing = {
        m.phone_bidx: m for m in Member.objects.filter(incident=incident).select_related("team")
    }
    with transaction.atomic():
        for number, raw in table.rows:
            result.rows += 1
            values = {k: display_text(v) for k, v in raw.items()}
            try:
                name = values.get("name", "").strip()
                if not name:
                    raise _Reject("missing_name")
                try:
                    phone = normalize_mobile(values.get("phone", ""))
                except InvalidPhone:
                    raise _Reject("invalid_phone") from None
                if phone in seen:
                    raise _Reject("duplicate")
                document = values.get("document", "").strip().upper()
                if document:
                    try:
                        document = idnumbers.parse(document).number
                    except idnumbers.InvalidIdNumber:
                        raise _Reject("invalid_document") from None
                quals = _qualifications(values.get("qualification", ""))
                party = _PARTY.get(values.get("party", "").strip(), PartyStatus.NONE)
                team_name = team or values.get("team", "").strip()
                if not team_name and org is None:
                    raise _Reject("missing_team")
                the_team = (
                    _team(
                        incident, team_name, kind or values.get("kind", "").strip(),
                        values.get("sending_org", "").strip(), teams,
                    )
                    if team_name
                    else None
                )  # fmt: skip
            except _Reject as rejected:
                result.rejected += 1
                result.rejected_reasons[rejected.code] += 1
                message = str(REASONS[rejected.code])
                if rejected.detail:
                    message = f"{message}：{rejected.detail}"
                result.problems.append(
                    {"row": number, "code": rejected.code, "message": mask_in_text(message)}
                )
                continue
            seen.add(phone)
            member = existing.get(_bidx(phone))
            if member is None:
                volunteer: dict[str, Any] = {}
                if org is not None:
                    volunteer = {
                        "is_volunteer": True, "organisation": org,
                        "verification": Verification.PENDING,
                        "home": registry_household(document) if document else None,
                    }  # fmt: skip
                Member.objects.create(
                    incident=incident, team=the_team, name=name, phone=phone,
                    document_number=document, qualifications=quals, party_status=party,
                    **volunteer,
                )  # fmt: skip
                result.created += 1
                continue
            changed = False
            for attr, value in (
                ("name", name), ("qualifications", quals), ("party_status", party),
                ("team_id", the_team.pk if the_team else member.team_id),
            ):  # fmt: skip
                if getattr(member, attr) != value:
                    setattr(member, attr, value)
                    changed = True
            if document and member.document_masked != _masked(document):
                member.document_number = document
                changed = True
            if changed:
                member.save()
                result.updated += 1
            else:
                result.unchanged += 1
    return result


def _bidx(phone: str) -> str:
    from tongxin.core.personal import phone_columns

    return phone_columns(phone).bidx


def _masked(document: str) -> str:
    from tongxin.core.masking import mask_document

    return mask_document(document)
