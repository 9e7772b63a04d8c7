"""Directives are work orders between units; the personal data they may carry is in the
photos staff upload as feedback (doors, lists, people). Those files go with the incident;
the directives, their texts and the sign/complete record stay."""

from tongxin.directives.models import DirectiveTarget, Feedback, UnitTask
from tongxin.incidents.models import Incident
from tongxin.incidents.purging import delete_files


def purge(incident: Incident, *, dry_run: bool) -> dict[str, int]:
    targets = DirectiveTarget.objects.filter(directive__incident=incident)
    return {
        "photos": delete_files(targets, ["report_photo"], dry_run=dry_run)
        + delete_files(Feedback.objects.filter(target__in=targets), ["photo"], dry_run=dry_run)
        + delete_files(
            UnitTask.objects.filter(target__in=targets), ["report_photo"], dry_run=dry_run
        ),
    }
