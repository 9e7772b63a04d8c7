"""`tongxin create_api_token USERNAME --name "..."`: a bearer token for /api/v1/, shown once.

The token acts as its user: the same role and jurisdiction. Only its hash is stored, so it is
printed alone on stdout (for scripts to capture) and cannot be shown again.
"""

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from tongxin.accounts.models import ApiToken, User
from tongxin.audit.context import Actor, acting_as
from tongxin.audit.models import AuditAction
from tongxin.audit.services import record


class Command(BaseCommand):
    help = "Issue an API bearer token for a user and print it once."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("username")
        parser.add_argument("--name", required=True, help="what the token is for")

    def handle(self, *args: Any, **options: Any) -> None:
        name = options["name"].strip()
        if not name:
            raise CommandError(_("请用 --name 说明令牌用途"))
        user = User.objects.filter(username=options["username"]).first()
        if user is None:
            raise CommandError(_("用户 %(username)s 不存在") % {"username": options["username"]})
        if not user.is_active:
            raise CommandError(_("用户 %(username)s 已停用") % {"username": user.username})
        with acting_as(Actor(user=None, label="create_api_token", channel="cli")):
            token, key = ApiToken.issue(user, name)
            record(
                AuditAction.CREATE,
                token,
                detail={"user": user.username, "name": name, "prefix": token.prefix},
            )
        self.stdout.write(key)
        self.stderr.write(
            _("已为 %(username)s 创建令牌“%(name)s”。令牌只显示这一次，请妥善保存。")
            % {"username": user.username, "name": name}
        )
