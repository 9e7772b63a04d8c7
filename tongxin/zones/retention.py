"""Zones keep no names, but a positive finding at a household (with its source reference)
points at the people living there. Once due, the finding moves up to its estate and loses
its reference: zone histories and counts of positives per estate stay. Designation proposals
(a household proposed because a 密接 lives there) are removed: the zone history keeps what was
designated."""

from django.db.models import Q

from tongxin.audit.services import scrub_events, target_type_of
from tongxin.incidents.models import Incident
from tongxin.incidents.purging import anonymise
from tongxin.places.models import KIND_DEPTH, Place, PlaceKind
from tongxin.zones.models import DesignationProposal, PositiveFinding


def purge(incident: Incident, *, dry_run: bool) -> dict[str, int]:
    estate_depth = KIND_DEPTH[PlaceKind.ESTATE]
    findings = PositiveFinding.objects.filter(incident=incident)
    fine = findings.filter(place__depth__gt=estate_depth)
    counts = {"finding_references": 0, "findings_coarsened": fine.count()}
    if not dry_run:
        moved = []
        for finding in fine.select_related("place").order_by("pk").iterator(chunk_size=500):
            estate = Place.objects.filter(path=finding.place.path[: 4 * estate_depth]).first()
            if estate is not None:
                PositiveFinding.objects.filter(pk=finding.pk).update(place=estate)
                moved.append(finding.pk)
        # The trail of each finding named its household; it keeps the fact, not the place.
        scrub_events(target_type_of(PositiveFinding), moved)
    proposals = DesignationProposal.objects.filter(incident=incident)
    counts["designation_proposals"] = proposals.count()
    if not dry_run and counts["designation_proposals"]:
        ids = list(proposals.values_list("pk", flat=True))
        proposals.delete()
        scrub_events(target_type_of(DesignationProposal), ids)
    counts["finding_references"] = anonymise(
        findings.filter(~Q(reference="") | ~Q(source="")),
        {"reference": "", "source": ""},
        dry_run=dry_run,
    )
    return counts
