"""`tongxin care …`: the special-population registry and green channels from the command line.

    tongxin care plan-runs --date 2022-03-08                 # every township, from the registry
    tongxin care plan-runs --date 2022-03-08 --township 12   # one township (id or full address)
    tongxin care plan-runs                                   # tomorrow

Planning is idempotent: run it again after the registry changed and only the difference is
applied. The command acts as --user in the audit trail.
"""

import datetime as dt
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.dateparse import parse_date
from django.utils.translation import gettext as _

from tongxin.accounts.cli import find_user
from tongxin.audit.context import Actor, acting_as
from tongxin.care.services import runs
from tongxin.care.services.registry import CareError
from tongxin.incidents.cli import find_incident
from tongxin.incidents.models import Incident
from tongxin.places.models import Place, PlaceKind


def _date(raw: str | None) -> dt.date:
    if not raw:
        return runs.tomorrow()
    parsed = parse_date(raw)
    if parsed is None:
        raise CommandError(_("无法识别的日期：%(raw)s（格式如 2022-03-08）") % {"raw": raw})
    return parsed


def _township(raw: str | None) -> Place | None:
    if not raw:
        return None
    townships = Place.objects.filter(kind=PlaceKind.TOWNSHIP)
    raw = raw.strip()
    found = (
        townships.filter(pk=int(raw)).first()
        if raw.isdigit()
        else townships.filter(address=raw).first() or townships.filter(name=raw).first()
    )
    if found is None:
        raise CommandError(_("找不到乡镇/街道：%(raw)s") % {"raw": raw})
    return found


def _incident(raw: str | None) -> Incident | None:
    return find_incident(raw) if raw else None


class Command(BaseCommand):
    help = "重点人群与绿色通道：按登记生成血透专车乘车名单"

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        plan = sub.add_parser("plan-runs", help=_("按登记生成（或更新）某日的血透专车"))
        plan.add_argument("--date", help=_("日期，默认明天"))
        plan.add_argument("--township", help=_("乡镇/街道（编号、名称或完整地址），默认全部"))
        plan.add_argument("--incident", help=_("响应事件，默认唯一进行中的事件"))
        plan.add_argument("--user", help=_("操作人（用户名），记入审计"))

    def handle(self, *args: Any, **options: Any) -> None:
        user = find_user(options.get("user"))
        actor = Actor(user=user, label=user.get_username() if user else "cli", channel="cli")
        with acting_as(actor):
            try:
                self.plan_runs(options)
            except CareError as exc:
                raise CommandError(str(exc)) from exc

    def plan_runs(self, options: dict[str, Any]) -> None:
        date = _date(options.get("date"))
        result = runs.plan_runs(
            date,
            township=_township(options.get("township")),
            incident=_incident(options.get("incident")),
        )
        for run in result.runs:
            passengers = run.passengers.all()
            door = sum(1 for p in passengers if p.at_door)
            unbooked = sum(1 for p in passengers if p.slot_id is None)
            self.stdout.write(
                _(
                    "%(date)s %(township)s → %(hospital)s：%(n)s 人"
                    "（上门 %(door)s，未约时段 %(unbooked)s），出发 %(time)s"
                )
                % {
                    "date": date.isoformat(),
                    "township": run.township.name,
                    "hospital": run.hospital.name,
                    "n": len(passengers),
                    "door": door,
                    "unbooked": unbooked,
                    "time": run.departs_at.strftime("%H:%M") if run.departs_at else "—",
                }
            )
        self.stdout.write(str(result))
