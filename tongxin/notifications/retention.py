"""Text messages sent to residents' phones for an incident keep the number (encrypted and
masked) in their delivery record, and messages about an incident may name people in their
text. Once due, the deliveries to residents' numbers (and their attempt logs) go, and the
incident's notifications keep their kind and time but lose their words."""

from tongxin.incidents.models import Incident
from tongxin.incidents.purging import anonymise, delete
from tongxin.notifications.models import Delivery, DeliveryAttempt, Notification

REMOVED = "（已按保留期限删除）"


def purge(incident: Incident, *, dry_run: bool) -> dict[str, int]:
    to_residents = Delivery.objects.filter(notification__incident=incident, user__isnull=True,
                                           robot__isnull=True)  # fmt: skip
    delete(
        DeliveryAttempt.objects.filter(delivery__in=to_residents),
        dry_run=dry_run,
        scrub_audit=False,
    )
    return {
        "sms_to_residents": delete(to_residents, dry_run=dry_run, scrub_audit=False),
        "message_texts": anonymise(
            Notification.objects.filter(incident=incident).exclude(body=REMOVED),
            {"title": REMOVED, "body": REMOVED, "link": ""},
            dry_run=dry_run,
            scrub_audit=False,
        ),
    }
