"""`tongxin retention purge [--dry-run] [--json]`: delete personal data whose time is up.

Run daily from cron. Counts per kind ("sampling.sample_events": 1234, …); --dry-run shows
what would go and changes nothing. Safe to run again."""

import json
from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django.utils.translation import gettext as _

from tongxin.audit.context import acting_as
from tongxin.imports.management.commands._cli import command_actor
from tongxin.incidents.retention import purge


class Command(BaseCommand):
    help = "按保留期限删除已结束响应事件的个人信息"

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        run = sub.add_parser("purge", help=_("删除到期的个人信息"))
        run.add_argument("--dry-run", action="store_true", help=_("只统计，不删除"))
        run.add_argument("--json", action="store_true", help=_("只输出一个JSON对象"))

    def handle(self, *args: Any, **options: Any) -> None:
        _user, actor = command_actor(None)
        with acting_as(actor):
            report = purge(dry_run=options["dry_run"])
        if options["json"]:
            self.stdout.write(json.dumps(report.as_dict(), ensure_ascii=False))
            return
        head = _("试运行（未删除任何数据）") if report.dry_run else _("已删除")
        self.stdout.write(f"{head} {report.today}")
        if not report.incidents:
            self.stdout.write(_("没有到期的响应事件"))
        for item in report.incidents:
            self.stdout.write(
                _("响应事件“%(name)s”（应删除日期 %(date)s）")
                % {"name": item["name"], "date": item["purge_due_on"]}
            )
            for kind, n in sorted(item["counts"].items()):
                if n:
                    self.stdout.write(f"  {kind}: {n}")
        for kind, n in report.standing.items():
            self.stdout.write(f"  {kind}: {n}")
        for item in report.pending:
            self.stdout.write(
                _("未到期：“%(name)s”，%(date)s 删除")
                % {"name": item["name"], "date": item["purge_due_on"]}
            )
