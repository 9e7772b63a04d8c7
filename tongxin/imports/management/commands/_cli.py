"""What the import and export commands share: who is acting."""

import getpass
from typing import Any

from django.contrib.auth import get_user_model
from django.core.management.base import CommandError
from django.utils.translation import gettext as _

from tongxin.audit.context import Actor


def command_actor(username: str | None) -> tuple[Any, Actor]:
    """(user, actor): a named user acts with their own scope; without one, the operator at
    the console acts county-wide, recorded as the command line."""
    if not username:
        try:
            operator = getpass.getuser()
        except (KeyError, OSError):
            operator = "?"
        return None, Actor(user=None, label=f"cli:{operator}", channel="cli")
    user = get_user_model().objects.filter(username=username).first()
    if user is None or not user.is_active:
        raise CommandError(_("用户“%(name)s”不存在或已停用") % {"name": username})
    return user, Actor(user=user, label=user.get_username(), channel="cli")
