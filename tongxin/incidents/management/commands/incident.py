"""`tongxin incident open|close|list`: start and end a response event from the command line.

tongxin incident open --name "2022-03 开化疫情" --edition np-9 [--json]
tongxin incident close --name "2022-03 开化疫情" [--json]
tongxin incident list [--json]
"""

import json
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from tongxin.audit.context import acting_as
from tongxin.imports.management.commands._cli import command_actor
from tongxin.incidents.models import Incident
from tongxin.incidents.services import IncidentError, end_incident, start_incident


def _as_dict(incident: Incident) -> dict[str, Any]:
    return {
        "id": incident.pk,
        "name": incident.name,
        "edition": incident.policy_edition.code,
        "started_at": incident.started_at.isoformat(),
        "ended_at": incident.ended_at.isoformat() if incident.ended_at else None,
        "purge_due_on": incident.purge_due_on.isoformat() if incident.purge_due_on else None,
    }


class Command(BaseCommand):
    help = "开启、结束响应事件"

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        opening = sub.add_parser("open", help=_("开启响应事件"))
        opening.add_argument("--name", required=True, help=_("事件名称"))
        opening.add_argument("--edition", required=True, help=_("防控方案版本代码，如 np-9"))
        closing = sub.add_parser("close", help=_("结束响应事件，开始个人信息保留期"))
        closing.add_argument("--name", required=True, help=_("事件名称"))
        sub.add_parser("list", help=_("列出响应事件"))
        for p in (opening, closing, sub.choices["list"]):
            p.add_argument("--json", action="store_true", help=_("只输出一个JSON对象"))
            p.add_argument("--user", metavar="USERNAME", help=_("以该用户的身份操作"))

    def handle(self, *args: Any, **options: Any) -> None:
        _user, actor = command_actor(options.get("user"))
        with acting_as(actor):
            result = getattr(self, f"_{options['action']}")(options)
        if options["json"]:
            self.stdout.write(json.dumps(result, ensure_ascii=False))

    def _say(self, options: dict[str, Any], text: str) -> None:
        if not options["json"]:
            self.stdout.write(text)

    def _open(self, options: dict[str, Any]) -> dict[str, Any]:
        try:
            incident, created = start_incident(options["name"], options["edition"])
        except IncidentError as exc:
            raise CommandError(str(exc)) from exc
        if created:
            self._say(options, _("已开启响应事件“%(name)s”（%(edition)s）") % {
                "name": incident.name, "edition": incident.policy_edition})  # fmt: skip
        else:
            self._say(options, _("响应事件“%(name)s”已开启，未做修改") % {"name": incident.name})
        return _as_dict(incident)

    def _close(self, options: dict[str, Any]) -> dict[str, Any]:
        incident = Incident.objects.filter(name=options["name"].strip()).first()
        if incident is None:
            raise CommandError(_("找不到响应事件“%(name)s”") % {"name": options["name"]})
        try:
            incident = end_incident(incident)
        except IncidentError as exc:
            raise CommandError(str(exc)) from exc
        self._say(
            options,
            _("已结束响应事件“%(name)s”；个人信息将于 %(date)s 后删除")
            % {"name": incident.name, "date": incident.purge_due_on},
        )
        return _as_dict(incident)

    def _list(self, options: dict[str, Any]) -> dict[str, Any]:
        rows = [
            _as_dict(i) for i in Incident.objects.select_related("policy_edition").order_by("pk")
        ]
        for row in rows:
            state = _("进行中") if row["ended_at"] is None else _("已结束")
            self._say(options, f"{row['id']}  {row['name']}  {row['edition']}  {state}")
        return {"incidents": rows}
