"""What the commands' --user option means, the same in every command."""

from django.core.management.base import CommandError
from django.utils.translation import gettext as _

from tongxin.accounts.models import User


def find_user(raw: str | None) -> User | None:
    """The active account named by its user name (None when the option is not given)."""
    if not raw:
        return None
    found = User.objects.filter(username=raw, is_active=True).first()
    if found is None:
        raise CommandError(_("找不到用户：%(raw)s") % {"raw": raw})
    return found
