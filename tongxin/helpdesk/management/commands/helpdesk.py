"""`tongxin helpdesk …`: the help platform from the command line.

    tongxin helpdesk stats --from 2022-03-06T18:00 --to 2022-03-09T21:00 --json
    tongxin helpdesk sweep                       # from cron, every few minutes
    tongxin helpdesk import 12345.xlsx --channel 12345 --source "12345热线" --user pingtai

Times without a zone are the county's local time; a date alone means its midnight (for
--to: the end of that day).

Why not `tongxin help stats`: Django's command-line utility answers `help` itself (it prints
the list of commands, or `help <command>` prints that command's usage) before looking for a
command of that name, so a command named `help` can be installed but never reached.
"""

import datetime as dt
import json
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime
from django.utils.translation import gettext as _

from tongxin.accounts.models import User
from tongxin.audit.context import Actor, acting_as
from tongxin.helpdesk.models import Channel
from tongxin.helpdesk.services import escalation, imports, stats
from tongxin.imports.readers import ImportFileError
from tongxin.incidents.models import Incident


def parse_moment(raw: str, *, end: bool = False) -> dt.datetime:
    text = raw.strip()
    day = parse_date(text) if len(text) <= 10 else None
    value = None if day is not None else parse_datetime(text)
    if day is not None:
        value = dt.datetime.combine(day + dt.timedelta(days=1 if end else 0), dt.time())
    if value is None:
        raise CommandError(
            _("无法识别的时间：%(raw)s（格式如 2022-03-06 或 2022-03-06T18:00）") % {"raw": raw}
        )
    return timezone.make_aware(value) if timezone.is_naive(value) else value


def _fmt(value: Any) -> str:
    return "—" if value is None else str(value)


class Command(BaseCommand):
    help = "Help platform: `stats` (figures for a window), `sweep` (escalate overdue), `import`."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        st = sub.add_parser("stats", help="figures for requests received in a time window")
        st.add_argument("--from", dest="start", required=True, help="start (inclusive)")
        st.add_argument("--to", dest="end", required=True, help="end (exclusive)")
        st.add_argument("--incident", help="incident id or name (default: all)")
        st.add_argument("--json", action="store_true", help="print JSON")
        sub.add_parser(
            "sweep", help="escalate overdue requests to team leads, then the command post"
        )
        im = sub.add_parser("import", help="import requests from a spreadsheet (.xlsx/.csv)")
        im.add_argument("path")
        im.add_argument("--channel", default=Channel.HOTLINE_12345, choices=Channel.values)
        im.add_argument("--source", default="", help="who sent the sheet (e.g. 12345热线)")
        im.add_argument("--user", help="username recorded as having imported it")
        im.add_argument("--no-sms", action="store_true", help="do not text the residents")
        im.add_argument("--json", action="store_true")

    def handle(self, *args: Any, **options: Any) -> None:
        action = options["action"]
        if action == "stats":
            self._stats(options)
        elif action == "sweep":
            with acting_as(Actor(label="helpdesk sweep", channel="cli")):
                result = escalation.sweep()
            self.stdout.write(
                f"reminded {len(result.reminded)}, escalated {len(result.escalated)} "
                "to the command post"
            )
        elif action == "import":
            self._import(options)

    def _stats(self, options: dict[str, Any]) -> None:
        start = parse_moment(options["start"])
        end = parse_moment(options["end"], end=True)
        if end <= start:
            raise CommandError(_("--to 须晚于 --from"))
        incident = None
        if options.get("incident"):
            raw = options["incident"]
            incident = (
                Incident.objects.filter(pk=int(raw)).first()
                if raw.isdigit()
                else Incident.objects.filter(name=raw).first()
            )
            if incident is None:
                raise CommandError(_("找不到响应事件：%(raw)s") % {"raw": raw})
        result = stats.compute(start, end, incident=incident)
        if options["json"]:
            self.stdout.write(json.dumps(result.as_dict(), ensure_ascii=False, indent=2))
            return
        t = result.total
        self.stdout.write(
            _("%(start)s 至 %(end)s：受理 %(received)d，已联系 %(answered)d，已办结 %(closed)d")
            % {
                "start": timezone.localtime(start).strftime("%Y-%m-%d %H:%M"),
                "end": timezone.localtime(end).strftime("%Y-%m-%d %H:%M"),
                "received": t.received,
                "answered": t.answered,
                "closed": t.closed,
            }
        )
        header = [
            _("日期"), _("受理"), _("已联系"), _("已办结"), _("曾超时"), _("联系中位分钟"),
            _("办结中位分钟"), _("满意率%"),
        ]  # fmt: skip
        self.stdout.write("\t".join(header))
        for day, f in result.by_day:
            self.stdout.write(
                "\t".join(
                    [
                        day.isoformat(),
                        str(f.received),
                        str(f.answered),
                        str(f.closed),
                        str(f.overdue),
                        _fmt(f.median_minutes_to_contact),
                        _fmt(f.median_minutes_to_close),
                        _fmt(f.satisfaction_rate),
                    ]
                )
            )
        for _code, label, f in result.by_category:
            if f.received:
                self.stdout.write(
                    f"{label}\t{f.received}\t{f.answered}\t{f.closed}\t{f.overdue}\t"
                    f"{_fmt(f.median_minutes_to_contact)}\t{_fmt(f.median_minutes_to_close)}\t"
                    f"{_fmt(f.satisfaction_rate)}"
                )

    def _import(self, options: dict[str, Any]) -> None:
        path = Path(options["path"])
        try:
            data = path.read_bytes()
        except OSError as exc:
            raise CommandError(_("无法打开文件：%(e)s") % {"e": exc.strerror}) from exc
        user = None
        if options.get("user"):
            user = User.objects.filter(username=options["user"], is_active=True).first()
            if user is None:
                raise CommandError(_("找不到用户：%(u)s") % {"u": options["user"]})
        label = f"helpdesk import ({user.get_username()})" if user else "helpdesk import"
        with acting_as(Actor(user=user, label=label, channel="cli")):
            try:
                job = imports.import_requests(
                    data, path.name, channel=options["channel"], source_label=options["source"],
                    user=user, send_sms=not options["no_sms"],
                )  # fmt: skip
            except ImportFileError as exc:
                raise CommandError(str(exc)) from exc
        summary = {
            "rows": job.rows, "created": job.created, "skipped": job.skipped,
            "rejected": job.rejected, "problems": job.problems,
        }  # fmt: skip
        if options["json"]:
            self.stdout.write(json.dumps(summary, ensure_ascii=False, indent=2))
            return
        self.stdout.write(
            _("共 %(rows)d 行：新建 %(created)d，已导入过 %(skipped)d，未导入 %(rejected)d")
            % summary
        )
        for problem in job.problems:
            self.stdout.write(
                _("第 %(row)d 行：%(message)s")
                % {"row": problem["row"], "message": problem["message"]}
            )
