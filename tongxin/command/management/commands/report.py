"""`tongxin report …`: the daily report and the dashboard's figures from the command line.

    tongxin report daily --incident 1 --date 2022-03-07 --docx r.docx --xlsx r.xlsx --json
    tongxin report dashboard --incident 1 --area 42 --json

`daily` generates the day's report if it does not exist yet (its figures frozen at the
cut-off; an existing report is never changed) and prints its tables, the same keys as the
.xlsx sheets.
"""

import json
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.dateparse import parse_date
from django.utils.translation import gettext as _

from tongxin.audit.context import Actor, acting_as
from tongxin.command.services import documents, reports
from tongxin.command.services import figures as fig
from tongxin.incidents.cli import find_incident
from tongxin.places.models import Place


class Command(BaseCommand):
    help = "Daily report (`daily`) and the dashboard's figures (`dashboard`)."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        daily = sub.add_parser("daily", help="the day's report (generated at first call)")
        daily.add_argument("--incident", required=True, help="incident id")
        daily.add_argument("--date", required=True, help="YYYY-MM-DD")
        daily.add_argument("--docx", help="write the .docx here")
        daily.add_argument("--xlsx", help="write the .xlsx here")
        daily.add_argument("--json", action="store_true", help="print the tables as JSON")
        board = sub.add_parser("dashboard", help="the dashboard's figures")
        board.add_argument("--incident", required=True, help="incident id")
        board.add_argument("--area", help="place id (default: the county)")
        board.add_argument("--json", action="store_true", help="print JSON")

    def handle(self, *args: Any, **options: Any) -> None:
        incident = find_incident(str(options["incident"]))
        with acting_as(Actor(label="report", channel="cli")):
            if options["action"] == "daily":
                self._daily(incident, options)
            else:
                self._dashboard(incident, options)

    def _daily(self, incident: Any, options: dict[str, Any]) -> None:
        day = parse_date(options["date"] or "")
        if day is None:
            raise CommandError(_("日期格式应为 YYYY-MM-DD"))
        try:
            report = reports.generate(incident, day)
        except reports.ReportError as exc:
            raise CommandError(str(exc)) from None
        if options.get("docx"):
            Path(options["docx"]).write_bytes(documents.render_docx(report))
        if options.get("xlsx"):
            Path(options["xlsx"]).write_bytes(documents.render_xlsx(report))
        if options.get("json"):
            self.stdout.write(json.dumps(reports.rows(report), ensure_ascii=False, indent=1))
        else:
            self.stdout.write(
                _("第%(n)s期 %(cutoff)s（%(status)s）")
                % {
                    "n": report.number,
                    "cutoff": reports.cutoff_label(report),
                    "status": report.get_status_display(),
                }
            )

    def _dashboard(self, incident: Any, options: dict[str, Any]) -> None:
        areas = None
        if options.get("area"):
            area = Place.objects.filter(pk=options["area"]).first()
            if area is None:
                raise CommandError(_("没有这个地点"))
            areas = None if area.depth == 1 else [area]
        data = fig.picture(incident, areas)
        if options.get("json"):
            self.stdout.write(json.dumps(data, ensure_ascii=False, indent=1))
            return
        for section in data["sections"]:
            self.stdout.write(section["title"])
            for f in section["figures"]:
                self.stdout.write(f"  {f['label']}: {f['value']}")
