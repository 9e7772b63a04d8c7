"""Spreadsheets uploaded during an incident and the problem files made from them are copies
of personal data: once the incident's data is due, the files and the previews (masked rows)
go; the job and its counts stay. The registry the files were imported into is permanent."""

from django.db.models import Q

from tongxin.imports.models import ImportJob
from tongxin.incidents.models import Incident
from tongxin.incidents.purging import anonymise, delete_files


def purge(incident: Incident, *, dry_run: bool) -> dict[str, int]:
    window = Q(created_at__gte=incident.started_at)
    if incident.ended_at:
        window &= Q(created_at__lte=incident.ended_at)
    jobs = ImportJob.objects.filter(window)
    return {
        "files": delete_files(jobs, ["file", "errors_file"], dry_run=dry_run),
        "previews": anonymise(
            jobs.exclude(preview={}), {"preview": {}}, dry_run=dry_run, scrub_audit=False
        ),
    }
