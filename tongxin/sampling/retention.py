"""What sampling removes when an incident's personal data is due for deletion.

Gone: who was swabbed into which tube (sample events), who was sampled in a round, recall
members, temporary controls, positive-person records, door tasks naming a person, walk-in
registrations. Kept: tubes, boxes, lab results and recalls (barcodes and results, no person),
and the coverage tallies per household and per point-hour, so the round's figures still add up.
"""

from tongxin.incidents.models import Incident
from tongxin.incidents.purging import delete
from tongxin.sampling.models import (
    DoorTask,
    PositivePerson,
    RecallMember,
    SampledPerson,
    SampleEvent,
    TemporaryControl,
    WalkIn,
)


def purge(incident: Incident, *, dry_run: bool) -> dict[str, int]:
    of_incident = {"round__incident": incident}
    recalls = {"recall__round__incident": incident}
    return {
        "recall_members": delete(RecallMember.objects.filter(**recalls), dry_run=dry_run),
        "temporary_controls": delete(TemporaryControl.objects.filter(**recalls), dry_run=dry_run),
        "positive_people": delete(PositivePerson.objects.filter(**of_incident), dry_run=dry_run),
        "sample_events": delete(SampleEvent.objects.filter(**of_incident), dry_run=dry_run),
        "sampled_people": delete(SampledPerson.objects.filter(**of_incident), dry_run=dry_run),
        "door_tasks": delete(
            DoorTask.objects.filter(person__isnull=False, **of_incident), dry_run=dry_run
        ),
        "walk_ins": delete(WalkIn.objects.filter(**of_incident), dry_run=dry_run),
    }
