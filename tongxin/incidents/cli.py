"""What the commands' --incident option means, the same in every command."""

from django.core.management.base import CommandError
from django.utils.translation import gettext as _

from tongxin.incidents.models import Incident


def find_incident(raw: str) -> Incident:
    """The incident named on a command line: its id or its name."""
    found = (
        Incident.objects.filter(pk=int(raw)).first()
        if raw.isdigit()
        else Incident.objects.filter(name=raw).first()
    )
    if found is None:
        raise CommandError(_("找不到响应事件：%(raw)s") % {"raw": raw})
    return found


def the_open_incident() -> Incident:
    """The one open incident, for a command run without --incident."""
    open_ones = list(Incident.objects.open()[:2])
    if len(open_ones) != 1:
        raise CommandError(_("请用 --incident 指定响应事件"))
    return open_ones[0]
