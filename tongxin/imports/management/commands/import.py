"""`tongxin import residents FILE [--dry-run] [--errors OUT.xlsx] [--json] [--user USERNAME]`"""

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
from tongxin.people.services import PermissionDenied


class Command(BaseCommand):
    help = "导入居民名单（.xlsx 或 UTF-8/GBK 编码的 .csv）"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("kind", choices=["residents"], help=_("导入的内容：residents（居民）"))
        parser.add_argument("file", help=_("居民名单文件（.xlsx 或 .csv）"))
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

    def handle(self, *args: Any, **options: Any) -> None:
        user, actor = command_actor(options["user"])
        path = Path(options["file"])
        as_json = options["json"]
        progress = None
        if not as_json and sys.stderr.isatty():

            def progress(done: int, total: int) -> None:
                self.stderr.write(_("已处理 %(done)d / %(total)d 行") % locals(), ending="\r")

        with acting_as(actor):
            try:
                result = import_residents(
                    path, user=user, dry_run=options["dry_run"], progress=progress
                )
            except (ImportFileError, PermissionDenied) as exc:
                raise CommandError(str(exc)) from exc
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
                f"{REASONS.get(code, code)} {count}"
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
