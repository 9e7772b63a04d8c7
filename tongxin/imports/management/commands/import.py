"""`tongxin import residents|places|units|staff FILE [--dry-run] [--errors OUT.xlsx] [--json]
[--user USERNAME]`; staff also `[--deliver sms|print] [--links OUT.xlsx]`."""

import json
import sys
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from tongxin.audit.context import acting_as
from tongxin.imports.management.commands._cli import command_actor
from tongxin.imports.services import (
    REASONS,
    ImportFileError,
    ImportResult,
    import_residents,
    write_problems_xlsx,
)
from tongxin.imports.services.setup import SETUP_REASONS, import_setup
from tongxin.imports.services.staff import write_activation_sheet
from tongxin.people.services import PermissionDenied

KIND_HELP = "residents（居民）、places（地点）、units（包干表）、staff（工作人员）"


class Command(BaseCommand):
    help = "导入居民名单、地点表、包干表或工作人员名单（.xlsx 或 UTF-8/GBK 编码的 .csv）"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "kind",
            choices=["residents", "places", "units", "staff"],
            help=_("导入的内容：%(kinds)s") % {"kinds": KIND_HELP},
        )
        parser.add_argument("file", help=_("文件（.xlsx 或 .csv）"))
        parser.add_argument("--dry-run", action="store_true", help=_("只校验，不写入任何数据"))
        parser.add_argument(
            "--errors", metavar="OUT.xlsx", help=_("把被拒绝和有提示的行写入此文件")
        )
        parser.add_argument("--json", action="store_true", help=_("只输出一个JSON对象"))
        parser.add_argument(
            "--user",
            metavar="USERNAME",
            help=_("以该用户的身份和辖区导入（默认：命令行操作员）"),
        )
        parser.add_argument(
            "--deliver",
            choices=["sms", "print"],
            default="sms",
            help=_("工作人员：激活链接用短信发送（默认），或 print 打印交单位负责人"),
        )
        parser.add_argument(
            "--links",
            metavar="OUT.xlsx",
            help=_("工作人员：把需要打印的激活链接写入此文件（--deliver print 时必填）"),
        )

    def handle(self, *args: Any, **options: Any) -> None:
        user, actor = command_actor(options["user"])
        path = Path(options["file"])
        as_json = options["json"]
        progress = None
        if not as_json and sys.stderr.isatty():

            def progress(done: int, total: int) -> None:
                self.stderr.write(_("已处理 %(done)d / %(total)d 行") % locals(), ending="\r")

        kind = options["kind"]
        if kind == "staff" and options["deliver"] == "print" and not options["links"]:
            raise CommandError(_("--deliver print 须同时用 --links 指定激活链接文件"))
        links: list[Any] = []
        with acting_as(actor):
            try:
                if kind == "residents":
                    result = import_residents(
                        path, user=user, dry_run=options["dry_run"], progress=progress
                    )
                else:
                    result = import_setup(
                        kind, path, user=user, dry_run=options["dry_run"],
                        deliver=options["deliver"], links=links,
                    )  # fmt: skip
            except (ImportFileError, PermissionDenied) as exc:
                raise CommandError(str(exc)) from exc
        if links:
            out = Path(options["links"] or "activation-links.xlsx")
            write_activation_sheet(links, out)
            if not as_json:
                self.stdout.write(
                    _("%(n)d 个激活链接已写入 %(path)s，请打印交单位负责人")
                    % {"n": len(links), "path": out}
                )
        if options["errors"]:
            write_problems_xlsx(result, Path(options["errors"]))
        if as_json:
            self.stdout.write(json.dumps(result.as_dict(), ensure_ascii=False))
            return
        self._report(result, options)

    def _report(self, result: ImportResult, options: dict[str, Any]) -> None:
        self.stdout.write(
            _(
                "共 %(rows)d 行：新增 %(created)d，更新 %(updated)d，未变 %(unchanged)d，"
                "重复 %(duplicate)d，拒绝 %(rejected)d，提示 %(warnings)d"
            )
            % result.as_dict()
        )
        if result.rejected_reasons:
            reasons = "；".join(
                f"{REASONS.get(code) or SETUP_REASONS.get(code, code)} {count}"
                for code, count in sorted(result.rejected_reasons.items(), key=lambda i: -i[1])
            )
            self.stdout.write(_("拒绝原因：%(reasons)s") % {"reasons": reasons})
        if result.ignored_columns:
            self.stdout.write(
                _("未使用的列：%(columns)s") % {"columns": "、".join(result.ignored_columns)}
            )
        if options["errors"]:
            self.stdout.write(_("问题清单已写入 %(path)s") % {"path": options["errors"]})
        elif result.problems:
            self.stdout.write(_("用 --errors 问题.xlsx 可得到每个问题行的行号和原因"))
        if options["dry_run"]:
            self.stdout.write(_("（试运行：未写入任何数据）"))
