"""Testing's personal data for an incident: exemptions name a person; reminder notes may too.
Rounds, points, plans, slots and reminder statuses (per household) stay."""

from tongxin.incidents.models import Incident
from tongxin.incidents.purging import anonymise, delete
from tongxin.testing.models import Exemption, ReminderEntry


def purge(incident: Incident, *, dry_run: bool) -> dict[str, int]:
    return {
        "exemptions": delete(Exemption.objects.filter(round__incident=incident), dry_run=dry_run),
        "reminder_notes": anonymise(
            ReminderEntry.objects.filter(round__incident=incident).exclude(note=""),
            {"note": ""},
            dry_run=dry_run,
        ),
    }
