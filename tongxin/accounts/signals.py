from typing import Any

from django.contrib.auth.signals import user_logged_in, user_login_failed
from django.dispatch import receiver

from tongxin.audit.context import acting_as, actor_for_user
from tongxin.audit.models import AuditAction
from tongxin.audit.services import record


@receiver(user_logged_in)
def _logged_in(sender: Any, request: Any, user: Any, **kwargs: Any) -> None:
    ip = request.META.get("REMOTE_ADDR", "") if request is not None else ""
    with acting_as(actor_for_user(user, "web", ip)):
        record(AuditAction.LOGIN, user)


@receiver(user_login_failed)
def _login_failed(sender: Any, credentials: dict, request: Any = None, **kwargs: Any) -> None:
    username = str(credentials.get("username", ""))[:150]
    record(AuditAction.LOGIN_FAILED, target_type="accounts.user", label=username)
