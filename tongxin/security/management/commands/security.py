"""`tongxin security purge` (delete leftovers on a schedule, see tongxin/security/purge.py) and
`tongxin security reset-otp USERNAME` (an administrator resets a lost authenticator)."""

from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django.utils.translation import gettext as _

from tongxin.accounts.cli import find_user
from tongxin.audit.context import Actor, acting_as
from tongxin.security import second_factor
from tongxin.security.purge import describe, purge


class Command(BaseCommand):
    help = "安全维护：purge 删除遗留的上传文件、问题清单，结束中断的导入任务（建议每小时运行）"

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        sub.add_parser("purge", help="删除遗留文件并结束中断的导入任务")
        reset = sub.add_parser(
            "reset-otp", help="重置用户的验证器（手机丢失或更换时），下次登录时重新绑定"
        )
        reset.add_argument("username", metavar="USERNAME", help="用户名")

    def handle(self, *args: Any, action: str, **options: Any) -> None:
        if action == "reset-otp":
            self._reset_otp(options["username"])
            return
        with acting_as(Actor(user=None, label="security purge", ip="", channel="cli")):
            result = purge()
        self.stdout.write(describe(result))

    def _reset_otp(self, username: str) -> None:
        user = find_user(username)
        with acting_as(Actor(user=None, label="security reset-otp", ip="", channel="cli")):
            removed = second_factor.reset(user)
        self.stdout.write(
            _("已重置 %(user)s 的验证器（删除 %(n)s 个），该用户下次登录时需重新绑定。")
            % {"user": username, "n": removed}
        )
