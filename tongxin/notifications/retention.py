"""Text messages sent to residents' phones for an incident keep the number (encrypted and
masked) in their delivery record; once due, the number goes and the delivery's status stays."""

from tongxin.incidents.models import Incident
from tongxin.incidents.purging import anonymise
from tongxin.notifications.models import Delivery


def purge(incident: Incident, *, dry_run: bool) -> dict[str, int]:
    return {
        "sms_numbers": anonymise(
            Delivery.objects.filter(notification__incident=incident).exclude(phone_masked=""),
            {"phone": "", "phone_masked": ""},
            dry_run=dry_run,
            scrub_audit=False,
        )
    }
