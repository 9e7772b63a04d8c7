"""Purge a closed incident's workforce personal data: members' names, phones and ID numbers
are anonymised (the counts, shifts and hours stay for the record), volunteers' links to
registry households and areas go. Safe to run again; works in bounded batches."""

from django.db import transaction

from tongxin.incidents.models import Incident
from tongxin.workforce.models import Member

BATCH = 500
PURGED_NAME = "（已删除）"


def purge(incident: Incident, *, dry_run: bool) -> dict[str, int]:
    pending = Member.objects.filter(incident=incident).exclude(name=PURGED_NAME)
    if dry_run:
        return {"members": pending.count()}
    done = 0
    while True:
        with transaction.atomic():
            batch = list(pending.order_by("pk")[:BATCH])
            if not batch:
                break
            for member in batch:
                member.name = PURGED_NAME
                member.phone = f"0{member.pk:010d}"
                member.document_number = ""
                member.skills = member.availability = ""
                member.home = member.area = None
                member.user = None
                member.save()
            done += len(batch)
    return {"members": done}
