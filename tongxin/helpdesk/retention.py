"""The help platform's personal data for an incident: callers, phones, addresses, the words
of each request and the contact log. The requests stay as figures (category, priority,
channel, times, status, satisfaction), so the help statistics still answer."""

from django.db.models import Q

from tongxin.helpdesk.models import HelpRequest, RequestEvent, RequestImport
from tongxin.incidents.models import Incident
from tongxin.incidents.purging import anonymise

REMOVED_TEXT = "（已按保留期限删除）"
ANONYMOUS = {
    "caller_name": "", "phone": "", "phone_bidx": "", "phone_masked": "", "phone_last4": "",
    "address": "", "person": None, "text": REMOVED_TEXT, "text_original": "", "external_ref": "",
}  # fmt: skip


def purge(incident: Incident, *, dry_run: bool) -> dict[str, int]:
    requests = HelpRequest.objects.filter(incident=incident)
    window = Q(created_at__gte=incident.started_at)
    if incident.ended_at:
        window &= Q(created_at__lte=incident.ended_at)
    return {
        "help_requests": anonymise(
            requests.exclude(text=REMOVED_TEXT),
            ANONYMOUS,
            dry_run=dry_run,
        ),
        "contact_log": anonymise(
            RequestEvent.objects.filter(request__incident=incident).exclude(note="", data={}),
            {"note": "", "data": {}},
            dry_run=dry_run,
            scrub_audit=False,
        ),
        "request_import_rows": anonymise(
            RequestImport.objects.filter(window).exclude(problems=[]),
            {"problems": []},
            dry_run=dry_run,
            scrub_audit=False,
        ),
    }
