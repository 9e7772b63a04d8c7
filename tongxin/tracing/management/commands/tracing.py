"""`tongxin tracing …`: 流调 from the command line.

    tongxin tracing import-checkins scans.xlsx --json
    tongxin tracing copresence --venue QY0001 --from 2022-03-09T10:00 --to 2022-03-09T12:00 \
        --min-minutes 15 --json
    tongxin tracing derive 1 --json          # candidates of 病例1
    tongxin tracing confirm 1 --all-candidates
    tongxin tracing contacts --incident 1 --json

Every sub-command takes --incident (id or name; default: the one open incident) and --user
(who is acting, for the audit trail). Identities are printed masked.
"""

import json
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from tongxin.accounts.cli import find_user
from tongxin.accounts.models import User
from tongxin.audit.context import Actor, acting_as
from tongxin.incidents.cli import find_incident, the_open_incident
from tongxin.incidents.models import Incident
from tongxin.tracing.models import Case, Contact, ContactStatus, Management, Venue
from tongxin.tracing.services import confirm_contacts
from tongxin.tracing.services.checkins import import_file
from tongxin.tracing.services.copresence import at_venue
from tongxin.tracing.services.derive import derive_for_case
from tongxin.tracing.services.reports import contact_dict, contacts_overview, mask_name
from tongxin.tracing.services.rules import MissingRule
from tongxin.tracing.services.sheets import SheetError, parse_time


def _incident(raw: str | None) -> Incident:
    return find_incident(raw) if raw else the_open_incident()


def _case(incident: Incident, raw: str) -> Case:
    number = raw.removeprefix("病例")
    if not number.isdigit():
        raise CommandError(_("病例编号应为数字：%(raw)s") % {"raw": raw})
    case = Case.objects.filter(incident=incident, number=int(number)).first()
    if case is None:
        raise CommandError(_("找不到病例%(n)s") % {"n": number})
    return case


class Command(BaseCommand):
    help = "流调：导入扫码记录、时空交集查询、推导与确认密接次密接、接触者统计"

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)

        def common(p: CommandParser) -> None:
            p.add_argument("--incident", help=_("响应事件（编号或名称），默认唯一进行中的事件"))
            p.add_argument("--user", help=_("操作人（用户名），记入审计"))
            p.add_argument("--json", action="store_true", help=_("以 JSON 输出"))

        p = sub.add_parser("import-checkins", help=_("导入场所码扫码记录（.xlsx/.csv）"))
        p.add_argument("file")
        common(p)
        p = sub.add_parser("copresence", help=_("某场所某时段内的到访人员"))
        p.add_argument("--venue", required=True, help=_("场所码"))
        p.add_argument("--from", dest="start", required=True)
        p.add_argument("--to", dest="end", required=True)
        p.add_argument("--min-minutes", type=int, default=0)
        common(p)
        p = sub.add_parser("derive", help=_("推导病例的密接、次密接候选"))
        p.add_argument("case")
        common(p)
        p = sub.add_parser("confirm", help=_("确认病例的候选接触者"))
        p.add_argument("case")
        p.add_argument("--all-candidates", action="store_true", required=True)
        common(p)
        p = sub.add_parser("contacts", help=_("接触者按级别与管控状态统计及名单"))
        common(p)

    def handle(self, *args: Any, **options: Any) -> None:
        user = find_user(options.get("user"))
        actor = Actor(user=user, label=user.get_username() if user else "cli", channel="cli")
        with acting_as(actor):
            incident = _incident(options.get("incident"))
            try:
                result = getattr(self, options["action"].replace("-", "_"))(incident, user, options)
            except (SheetError, MissingRule) as exc:
                raise CommandError(str(exc)) from exc
        if options["json"]:
            self.stdout.write(json.dumps(result, ensure_ascii=False, indent=2))
        else:
            self.stdout.write(self.text(options["action"], result))

    def text(self, action: str, result: dict[str, Any]) -> str:
        if action == "import-checkins":
            return (
                _("共 %(rows)s 行：新增 %(stored)s，重复 %(duplicate)s，")
                + _("未匹配居民 %(unmatched)s，拒收 %(rejected)s")
            ) % result
        if action == "copresence":
            lines = [
                f"{p['name']} {p['document'] or p['phone']} {p['overlap_minutes']}分钟"
                for p in result["people"]
            ]
            return "\n".join(lines) or _("无")
        if action in ("derive", "confirm"):
            lines = [
                f"{c['level_label']} {c['exposure_type_label']} {c['person']['document']}"
                f" ← {c['source']}：{c['reason']}"
                for c in result["candidates"]
            ]
            return "\n".join([*lines, _("共 %(n)s 条") % {"n": result["count"]}])
        lines = [
            f"{c['level_label']} {c['status_label']} {c['document']} {c['ends_on']}"
            for c in result["contacts"]
        ]
        return "\n".join(lines) or _("无")

    def import_checkins(
        self, incident: Incident, user: User | None, options: dict[str, Any]
    ) -> dict[str, Any]:
        path = Path(options["file"])
        try:  # streamed from the file, a batch at a time: any size in bounded memory
            return import_file(incident, path, path.name, by=user).as_dict()
        except OSError as exc:
            raise CommandError(_("无法打开文件：%(e)s") % {"e": exc.strerror}) from exc

    def copresence(
        self, incident: Incident, user: User | None, options: dict[str, Any]
    ) -> dict[str, Any]:
        venue = Venue.objects.filter(code=options["venue"]).first()
        if venue is None:
            raise CommandError(_("找不到场所码：%(c)s") % {"c": options["venue"]})
        start, end = parse_time(options["start"]), parse_time(options["end"])
        if start is None or end is None or end <= start:
            raise CommandError(_("时间段无效"))
        people = at_venue(incident, venue, start, end, options["min_minutes"])
        return {
            "venue": venue.code,
            "from": start.isoformat(),
            "to": end.isoformat(),
            "min_minutes": options["min_minutes"],
            "people": [{**p.as_dict(), "name": mask_name(p.name)} for p in people],
        }

    def derive(
        self, incident: Incident, user: User | None, options: dict[str, Any]
    ) -> dict[str, Any]:
        case = _case(incident, options["case"])
        contacts = derive_for_case(case)
        candidates = [c for c in contacts if c.status == ContactStatus.CANDIDATE]
        return {
            "case": case.label,
            "count": len(candidates),
            "candidates": [contact_dict(c) for c in _loaded(candidates)],
        }

    def confirm(
        self, incident: Incident, user: User | None, options: dict[str, Any]
    ) -> dict[str, Any]:
        case = _case(incident, options["case"])
        pending = list(
            Contact.objects.filter(incident=incident, status=ContactStatus.CANDIDATE)
            .filter(_of_case(case))
            .distinct()
        )
        n = confirm_contacts(pending, user)
        return {
            "case": case.label,
            "count": n,
            "candidates": [contact_dict(c) for c in _loaded(pending)],
        }

    def contacts(
        self, incident: Incident, user: User | None, options: dict[str, Any]
    ) -> dict[str, Any]:
        return contacts_overview(incident, Management.objects.all())


def _of_case(case: Case) -> Any:
    from django.db.models import Q

    return Q(source_case=case) | Q(source_management__contacts__source_case=case)


def _loaded(contacts: list[Contact]) -> list[Contact]:
    return list(
        Contact.objects.filter(pk__in=[c.pk for c in contacts])
        .select_related(
            "management__person", "management__outside_person", "source_case", "source_management"
        )
        .order_by("level", "pk")
    )
