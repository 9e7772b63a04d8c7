"""`tongxin security purge`: delete leftovers on a schedule (see tongxin/security/purge.py)."""

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from tongxin.audit.context import Actor, acting_as
from tongxin.security.purge import describe, purge


class Command(BaseCommand):
    help = "安全维护：purge 删除遗留的上传文件、问题清单，结束中断的导入任务（建议每小时运行）"

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        sub.add_parser("purge", help="删除遗留文件并结束中断的导入任务")

    def handle(self, *args: Any, action: str, **options: Any) -> None:
        with acting_as(Actor(user=None, label="security purge", ip="", channel="cli")):
            result = purge()
        self.stdout.write(describe(result))
