"""What isolation takes from tracing and gives back.

- `feed_transfer_list_from_tracing(incident)`: confirmed 密接/次密接 tracing says are due for
  centralized isolation go onto the transfer list (once each, by management id), with tracing's
  reason (which never names the case) and last exposure.
- intake reports the person isolated (`mark_isolated`), which closes tracing's 次密接 window;
- `last_exposure_changed` (a new source found): the entry and any open stay move their end date,
  the history kept.
- a positive in isolation becomes a case through tracing's service, channel 隔离点筛查.
"""

import contextlib
import datetime as dt
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from tongxin.incidents.models import Incident
from tongxin.isolation.models import EntryStatus, Source, TransferEntry
from tongxin.isolation.services import IsolationError
from tongxin.isolation.services.rules import level_rule
from tongxin.isolation.services.stays import change_entry_exposure
from tongxin.isolation.services.transfer_list import add_entry
from tongxin.people.models import Person


def feed_transfer_list_from_tracing(incident: Incident) -> dict[str, int]:
    """Put tracing's contacts due for isolation on the transfer list. Safe to run again: a
    management already listed is skipped. Returns counts: added, already, refused."""
    from tongxin.tracing.models import OutsidePerson
    from tongxin.tracing.services import contacts_due_for_isolation

    counts = {"added": 0, "already": 0, "refused": 0}
    due = contacts_due_for_isolation(incident)
    refs = {str(d.management_id) for d in due}
    listed = set(
        TransferEntry.objects.filter(
            incident=incident, source=Source.TRACING, source_ref__in=refs
        ).values_list("source_ref", flat=True)
    )
    people = Person.objects.in_bulk([d.person_id for d in due if d.person_id])
    outside = OutsidePerson.objects.in_bulk(
        [d.outside_person_id for d in due if d.outside_person_id]
    )
    for d in due:
        ref = str(d.management_id)
        if ref in listed:
            counts["already"] += 1
            continue
        try:
            with transaction.atomic():
                if d.person_id is not None:
                    add_entry(
                        None, incident, people[d.person_id], level=d.level, reason=d.reason,
                        source=Source.TRACING, last_exposure=d.last_exposure, source_ref=ref,
                    )  # fmt: skip
                else:
                    _add_outside(incident, outside[d.outside_person_id], d, ref)
        except IsolationError:
            counts["refused"] += 1  # e.g. already listed from another source
            continue
        counts["added"] += 1
    return counts


def feed_from_tracing(incident: Incident) -> dict[str, Any]:
    """Both lists from tracing: the transfer list (centralized isolation) and the grids' home
    lists (home isolation, where the edition keeps a level at home)."""
    from tongxin.isolation.services.home import feed_home_list_from_tracing

    return {
        **feed_transfer_list_from_tracing(incident),
        "home": feed_home_list_from_tracing(incident),
    }


def _add_outside(incident: Incident, person: Any, due: Any, ref: str) -> TransferEntry:
    edition = incident.policy_edition
    rule = level_rule(edition, due.level)
    return TransferEntry.objects.create(
        incident=incident, outside_person_id=person.pk, name=person.name or _("（姓名不详）"),
        document_masked=person.document_masked, phone_masked=person.phone_masked,
        address=person.address, level=due.level, source=Source.TRACING, source_ref=ref,
        reason=due.reason, last_exposure=due.last_exposure, edition_code=edition.code, rule=rule,
    )  # fmt: skip


def report_isolated(entry: TransferEntry, at: dt.datetime) -> None:
    """Tell tracing the person is isolated (its 次密接 window ends here)."""
    if entry.source != Source.TRACING or not entry.source_ref.isdigit():
        return
    from tongxin.tracing.services import TracingError, mark_isolated

    # TracingError: tracing no longer manages them as a confirmed contact.
    with contextlib.suppress(TracingError):
        mark_isolated(int(entry.source_ref), at)


def on_last_exposure_changed(
    sender: Any, management_id: int, last_exposure: dt.datetime, **kwargs: Any
) -> None:
    """Tracing found a later exposure: the listed person's dates follow."""
    entries = TransferEntry.objects.filter(
        source=Source.TRACING, source_ref=str(management_id)
    ).exclude(status=EntryStatus.CANCELLED)
    for entry in entries:
        change_entry_exposure(entry, last_exposure, _("流调更新末次暴露时间（新的传播源）"))


def case_from_isolation_positive(positive: Any, stay: Any = None) -> Any:
    """A positive found in isolation becomes a case, detection channel 隔离点筛查. A person
    tracing knows as outside the registry stays that person in the case (sampling's record of
    them is only where their tubes were filed)."""
    from tongxin.tracing.models import Case, Channel, OutsidePerson
    from tongxin.tracing.services import TracingError
    from tongxin.tracing.services.cases import case_from_positive

    incident = positive.round.incident
    outside_id = getattr(getattr(stay, "entry", None), "outside_person_id", None)
    outside = OutsidePerson.objects.filter(pk=outside_id).first() if outside_id else None
    cases = Case.objects.filter(incident=incident)
    if outside is not None:
        cases = cases.filter(outside_person=outside)
    else:
        cases = cases.filter(person_id=positive.person_id)
    if cases.exists():
        return None
    try:
        return case_from_positive(positive, channel=Channel.ISOLATION_SITE, outside=outside)
    except TracingError:
        return None
