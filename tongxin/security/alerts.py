"""The command post hears when someone reveals personal data in unusual volume."""

from typing import Any

from django.utils.translation import gettext_lazy as _

from tongxin.accounts.models import Role, User
from tongxin.audit.services import reveal_volume

KIND = "reveal_volume"


def on_reveal_volume(sender: Any, *, user: Any, count: int, limit: int, **kwargs: Any) -> None:
    from tongxin.notifications.services import notify

    watchers = User.objects.filter(is_active=True, role=Role.COMMAND_POST)
    notify(
        KIND,
        users=list(watchers),
        context={
            "actor": str(user),
            "role": user.get_role_display(),
            "count": count,
            "limit": limit,
        },
        link="/audit/",
    )


def connect() -> None:
    from tongxin.notifications.kinds import Kind, register

    register(Kind(KIND, _("查看明文次数异常"), internal=True))
    reveal_volume.connect(on_reveal_volume, dispatch_uid="tongxin.security.reveal_volume")
