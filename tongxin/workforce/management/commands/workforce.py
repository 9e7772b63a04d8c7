"""`tongxin workforce …`: teams, coverage and figures from the command line.

    tongxin workforce import FILE [--team NAME] [--kind 医疗] [--json]
    tongxin workforce coverage --date 2022-03-06 [--township NODE] [--json]
    tongxin workforce suggest --date 2022-03-06 [--township NODE] [--apply] [--json]
    tongxin workforce figures [--json]
    tongxin workforce import FILE --organisation 蓝天救援队    # volunteers, pending verification
    tongxin workforce link --phone 13800000000 --user USERNAME   # a login sees its own shifts

NODE is a place id, its full address or its name. Output never holds a phone or ID number.
"""

import json
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.dateparse import parse_date
from django.utils.translation import gettext as _

from tongxin.accounts.models import User
from tongxin.audit.context import Actor, acting_as
from tongxin.imports.readers import ImportFileError
from tongxin.incidents.models import Incident
from tongxin.places.models import Place, PlaceKind
from tongxin.places.services import find_node
from tongxin.workforce.models import Member
from tongxin.workforce.services import current_incident
from tongxin.workforce.services.coverage import QUALIFICATION_NAMES, coverage
from tongxin.workforce.services.figures import figures
from tongxin.workforce.services.imports import REASONS, import_members
from tongxin.workforce.services.suggest import apply, suggest


def _incident() -> Incident:
    found = current_incident()
    if found is None:
        raise CommandError(_("没有进行中的响应事件"))
    return found


def _township(raw: str | None) -> Place | None:
    if not raw:
        return None
    found = find_node(raw, PlaceKind.TOWNSHIP)
    if found is None:
        raise CommandError(_("找不到乡镇/街道：%(raw)s") % {"raw": raw})
    return found


def _day(raw: str) -> Any:
    day = parse_date(raw or "")
    if day is None:
        raise CommandError(_("无法识别的日期：%(raw)s（格式如 2022-03-06）") % {"raw": raw})
    return day


class Command(BaseCommand):
    help = "人员与排班：导入队伍名单、岗位缺口、建议排班、统计"

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        imp = sub.add_parser("import", help=_("导入派出单位的人员名单（.xlsx/.csv）"))
        imp.add_argument("file")
        imp.add_argument("--team", default="", help=_("队伍名称（名单中没有“队伍”列时必填）"))
        imp.add_argument("--kind", default="", help=_("队伍类别，如 医疗、公安"))
        imp.add_argument(
            "--organisation", default="", help=_("志愿组织名称（名单中的人作为待核验的志愿者）")
        )
        imp.add_argument("--json", action="store_true")
        cov = sub.add_parser("coverage", help=_("某日各岗位班次的需求、已排和缺口"))
        cov.add_argument("--date", required=True)
        cov.add_argument("--township")
        cov.add_argument("--json", action="store_true")
        sug = sub.add_parser("suggest", help=_("按缺口建议排班"))
        sug.add_argument("--date", required=True)
        sug.add_argument("--township")
        sug.add_argument("--apply", action="store_true", help=_("按建议写入排班"))
        sug.add_argument("--json", action="store_true")
        fig = sub.add_parser("figures", help=_("人员统计"))
        fig.add_argument("--json", action="store_true")
        link = sub.add_parser(
            "link", help=_("把登录账号关联到人员（按手机号），以便本人查看班次、签到")
        )
        link.add_argument("--phone", required=True)
        link.add_argument("--user", required=True)

    def handle(self, *args: Any, **options: Any) -> None:
        incident = _incident()
        with acting_as(Actor(label="tongxin workforce", channel="cli")):
            getattr(self, "_" + options["action"])(incident, options)

    def _print(self, data: Any, as_json: bool, text: str) -> None:
        if as_json:
            self.stdout.write(json.dumps(data, ensure_ascii=False, indent=2))
        else:
            self.stdout.write(text)

    def _import(self, incident: Incident, options: dict[str, Any]) -> None:
        path = Path(options["file"])
        if not path.exists():
            raise CommandError(_("文件不存在：%(p)s") % {"p": path})
        try:
            result = import_members(
                path, incident, team=options["team"], kind=options["kind"],
                organisation=options["organisation"],
            )  # fmt: skip
        except ImportFileError as exc:
            raise CommandError(str(exc)) from exc
        data = result.as_dict()
        summary = _("共 %(rows)d 行：新增 %(created)d，更新 %(updated)d，")
        summary += _("未变 %(unchanged)d，未导入 %(rejected)d")
        lines = [summary % data]
        lines += [f"  第{p['row']}行：{p['message']}" for p in result.problems]
        lines += [f"  {REASONS[k]}：{n}" for k, n in data["rejected_reasons"].items()]
        self._print(data, options["json"], "\n".join(lines))

    def _coverage(self, incident: Incident, options: dict[str, Any]) -> None:
        report = coverage(incident, _day(options["date"]), township=_township(options["township"]))
        lines = [_("%(date)s 共 %(shifts)d 个班次，缺口 %(gap)d 人") % {
            "date": report.day, **report.totals}]  # fmt: skip
        for s in report.shifts:
            gaps = "、".join(
                f"{QUALIFICATION_NAMES[line.qualification]}{line.assigned}/{line.demand}"
                for line in s.lines
            )
            lines.append(f"  {s.post.name} {s.shift.starts_at:%H:%M} 缺{s.gap}：{gaps}")
        self._print(report.as_dict(), options["json"], "\n".join(lines))

    def _suggest(self, incident: Incident, options: dict[str, Any]) -> None:
        result = suggest(incident, _day(options["date"]), township=_township(options["township"]))
        data = result.as_dict()
        if options["apply"]:
            done, refused = apply(result)
            data["applied"], data["refused"] = done, refused
        text = _("建议 %(proposed)d 人次，仍缺 %(unfilled)d 人次") % data
        self._print(data, options["json"], text)

    def _link(self, incident: Incident, options: dict[str, Any]) -> None:
        member = Member.objects.filter(incident=incident).with_phone(options["phone"]).first()
        user = User.objects.filter(username=options["user"], is_active=True).first()
        if member is None or user is None:
            raise CommandError(_("找不到该手机号的人员或该账号"))
        member.user = user
        member.save()
        self.stdout.write(_("已关联：%(name)s ← %(user)s") % {"name": member.name, "user": user})

    def _figures(self, incident: Incident, options: dict[str, Any]) -> None:
        data = figures(incident)
        self._print(data, options["json"], json.dumps(data, ensure_ascii=False, indent=2))
