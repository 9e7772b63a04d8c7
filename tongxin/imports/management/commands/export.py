"""`tongxin export residents [--area NODE] --out FILE.xlsx|.csv [--unmask] [--user USERNAME]`"""

import os
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from tongxin.audit.context import acting_as
from tongxin.imports.management.commands._cli import command_actor
from tongxin.imports.services import AreaNotFound, export_residents, find_area
from tongxin.people.services import PermissionDenied


class Command(BaseCommand):
    help = "按导入格式导出居民名单（默认脱敏）"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("kind", choices=["residents"], help=_("导出的内容：residents（居民）"))
        parser.add_argument(
            "--area",
            metavar="NODE",
            help=_("只导出该地点之下的居民：地点编号、完整地址或 县/街道/社区/小区"),
        )
        parser.add_argument(
            "--out", required=True, metavar="FILE", help=_("输出文件（.xlsx 或 .csv）")
        )
        parser.add_argument("--unmask", action="store_true", help=_("导出明文证件号码和手机号"))
        parser.add_argument(
            "--user",
            metavar="USERNAME",
            help=_("以该用户的身份和辖区导出（默认：命令行操作员）"),
        )

    def handle(self, *args: Any, **options: Any) -> None:
        out = Path(options["out"])
        fmt = out.suffix.lower().lstrip(".")
        if fmt not in {"xlsx", "csv"}:
            raise CommandError(_("输出文件须以 .xlsx 或 .csv 结尾"))
        user, actor = command_actor(options["user"])
        with acting_as(actor):
            try:
                area = find_area(options["area"], user) if options["area"] else None
                partial = out.with_name(out.name + ".part")
                count = export_residents(
                    partial, fmt=fmt, user=user, area=area, unmask=options["unmask"]
                )
            except (AreaNotFound, PermissionDenied) as exc:
                raise CommandError(str(exc)) from exc
        os.replace(partial, out)
        shown = _("明文") if options["unmask"] else _("已脱敏")
        self.stdout.write(
            _("已导出 %(count)d 名居民到 %(path)s（%(shown)s）")
            % {"count": count, "path": out, "shown": shown}
        )
