"""The transfer list (待转运名单): entries by hand, from risk-area arrivals and from tracing,
grouped by household for pick-up, with each person's needs."""

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from tongxin.accounts.permissions import Perm, has_perm
from tongxin.care.models import CareNeed, NeedKind
from tongxin.incidents.models import Incident
from tongxin.isolation.models import EntryStatus, HomeWatch, Level, Source, TransferEntry
from tongxin.isolation.services import IsolationError, NotAllowed
from tongxin.isolation.services.rules import level_rule
from tongxin.people.models import Person

NEED_FIELDS = (
    "elderly_alone", "wheelchair", "chronic_medicine", "dialysis", "pregnancy", "pets",
    "medicine_to_bring", "notes",
)  # fmt: skip
# A companion must be able to look after the child: not elderly (the editions exclude elderly
# and ill caregivers), and not someone the registry lists as needing care.
COMPANION_MAX_AGE = 59
_CARE_EXCLUDES = (NeedKind.DIALYSIS, NeedKind.PREGNANCY, NeedKind.CHRONIC, NeedKind.DISABILITY)


def _require_planner(user: Any) -> None:
    if user is not None and not has_perm(user, Perm.PLAN_TRANSFERS):
        raise NotAllowed(_("您没有编排转运名单的权限"))


def care_needs(person: Person) -> dict[str, Any]:
    """What the care registry says about the person (the green-channel rule still applies to
    dialysis and pregnancy in isolation). Not a view of the record: only flags are copied."""
    kinds = dict(CareNeed.objects.current().filter(person=person).values_list("kind", "medicine"))
    needs: dict[str, Any] = {
        "dialysis": NeedKind.DIALYSIS in kinds,
        "pregnancy": NeedKind.PREGNANCY in kinds,
        "elderly_alone": NeedKind.ELDERLY_ALONE in kinds,
        "wheelchair": NeedKind.DISABILITY in kinds,
    }
    if NeedKind.CHRONIC in kinds:
        needs["chronic_medicine"] = kinds[NeedKind.CHRONIC] or str(_("慢病用药"))
    return needs


def _person_fields(person: Person) -> dict[str, Any]:
    return {
        "person": person, "name": person.name, "document_masked": person.document_masked,
        "phone_masked": person.phone_masked, "age": person.age, "household": person.household,
        "address": person.household.address or str(person.household),
    }  # fmt: skip


def add_entry(
    user: Any, incident: Incident, person: Person, *, level: str, reason: str,
    source: str = Source.MANUAL, last_exposure: dt.datetime | None = None, source_ref: str = "",
    **needs: Any,
) -> TransferEntry:  # fmt: skip
    """Put a resident on the transfer list under the incident's edition rule for the level."""
    _require_planner(user)
    if not incident.is_open:
        raise IsolationError(_("响应事件已结束"))
    edition = incident.policy_edition
    rule = level_rule(edition, level)
    if not rule.get("centralized_days"):
        raise IsolationError(
            _("按%(edition)s，%(level)s不集中隔离（居家隔离），请列入居家名单")
            % {"edition": edition, "level": Level(level).label}
        )
    if (
        TransferEntry.objects.filter(incident=incident, person=person)
        .filter(status__in=[EntryStatus.WAITING, EntryStatus.IN_BATCH])
        .exists()
    ):
        raise IsolationError(_("%(name)s 已在转运名单中") % {"name": person.name})
    values = {**care_needs(person), **{k: v for k, v in needs.items() if k in NEED_FIELDS}}
    try:
        with transaction.atomic():
            return TransferEntry.objects.create(
                incident=incident, level=level, source=source, source_ref=source_ref,
                reason=reason, last_exposure=last_exposure or timezone.now(),
                edition_code=edition.code, rule=rule,
                created_by=user if getattr(user, "pk", None) else None,
                **_person_fields(person), **values,
            )  # fmt: skip
    except IntegrityError as exc:
        raise IsolationError(_("%(name)s 已在转运名单中") % {"name": person.name}) from exc


def list_person(
    user: Any, incident: Incident, person: Person, *, level: str, reason: str,
    last_exposure: dt.datetime | None = None, **needs: Any,
) -> TransferEntry | HomeWatch:  # fmt: skip
    """Put a resident where the edition says the level goes: the transfer list for centralized
    isolation, or their grid's home list when the level is isolated at home."""
    from tongxin.isolation.services.home import keeps_at_home, start_home_isolation

    if level in Level.values and keeps_at_home(incident, level):
        _require_planner(user)
        if not incident.is_open:
            raise IsolationError(_("响应事件已结束"))
        if person.household_id is None:
            raise IsolationError(
                _("%(name)s 没有登记住址，无法列入居家名单") % {"name": person.name}
            )
        return start_home_isolation(
            incident, person, level=level, start=last_exposure or timezone.now()
        )
    return add_entry(
        user, incident, person, level=level, reason=reason, last_exposure=last_exposure, **needs
    )


def add_arrival(
    user: Any, incident: Incident, person: Person, *, origin: str, arrived_at: dt.datetime,
    **needs: Any,
) -> TransferEntry:  # fmt: skip
    """A person arriving from a risk area (来自风险地区): isolated from their arrival."""
    reason = _("自%(origin)s来（返），%(date)s 抵达") % {
        "origin": origin, "date": timezone.localtime(arrived_at).strftime("%Y-%m-%d %H:%M"),
    }  # fmt: skip
    return add_entry(
        user, incident, person, level=Level.ARRIVAL, reason=reason, source=Source.ARRIVAL,
        last_exposure=arrived_at, **needs,
    )  # fmt: skip


def set_needs(user: Any, entry: TransferEntry, **needs: Any) -> TransferEntry:
    _require_planner(user)
    for key, value in needs.items():
        if key in NEED_FIELDS:
            setattr(entry, key, value)
    entry.save()
    return entry


def add_companion(user: Any, minor: TransferEntry, companion: Person) -> TransferEntry:
    """A child under the edition's age may bring one family companion, who is isolated with
    them (same room, same end date)."""
    _require_planner(user)
    if not minor.is_minor:
        raise IsolationError(
            _("只有 %(age)s 周岁以下的未成年人可以带陪护人员") % {"age": minor.minor_age}
        )
    if minor.companions.exclude(status=EntryStatus.CANCELLED).exists():
        raise IsolationError(_("每名未成年人只能有一名陪护人员"))
    if companion.age is not None and companion.age > COMPANION_MAX_AGE:
        raise IsolationError(_("老年人不宜作为陪护人员"))
    if CareNeed.objects.current().filter(person=companion, kind__in=_CARE_EXCLUDES).exists():
        raise IsolationError(_("患病或需照护的人员不宜作为陪护人员"))
    if minor.status != EntryStatus.WAITING:
        raise IsolationError(_("该未成年人已编入批次，请先调整批次"))
    try:
        with transaction.atomic():
            return TransferEntry.objects.create(
                incident=minor.incident, level=Level.COMPANION, source=Source.COMPANION,
                reason=_("陪护未成年人 %(name)s") % {"name": minor.name},
                last_exposure=minor.last_exposure, edition_code=minor.edition_code,
                rule=minor.rule, companion_of=minor,
                created_by=user if getattr(user, "pk", None) else None,
                **_person_fields(companion), **care_needs(companion),
            )  # fmt: skip
    except IntegrityError as exc:
        raise IsolationError(_("%(name)s 已在转运名单中") % {"name": companion.name}) from exc


def cancel_entry(user: Any, entry: TransferEntry, reason: str) -> TransferEntry:
    _require_planner(user)
    if entry.status != EntryStatus.WAITING:
        raise IsolationError(_("已编入批次的人员不能撤销，请在批次中登记结果"))
    entry.status = EntryStatus.CANCELLED
    entry.notes = reason[:255]
    entry.save()
    return entry


def households(entries: Iterable[TransferEntry]) -> list[list[TransferEntry]]:
    """Entries grouped by household (a household travels together; a companion with their
    child), in the order the first of each group came."""
    groups: dict[str, list[TransferEntry]] = defaultdict(list)
    for entry in entries:
        groups[entry.household_key].append(entry)
    return list(groups.values())


def transfer_list(
    user: Any, incident: Incident | None = None, *, status: str | None = EntryStatus.WAITING
) -> list[TransferEntry]:
    qs = TransferEntry.objects.select_related("household", "companion_of")
    if user is not None:
        qs = qs.filter(pk__in=TransferEntry.objects.visible_to(user).values("pk"))
    if incident is not None:
        qs = qs.filter(incident=incident)
    if status:
        qs = qs.filter(status=status)
    return list(qs.order_by("household__path", "household_id", "pk"))


def entry_dict(entry: TransferEntry, group: str | None = None) -> dict[str, Any]:
    """An entry as the command and the API give it (masked ID and phone only)."""
    return {
        "id": entry.pk,
        "name": entry.name,
        "document_masked": entry.document_masked,
        "phone_masked": entry.phone_masked,
        "age": entry.age,
        "level": entry.level,
        "level_label": str(entry.get_level_display()),
        "source": entry.source,
        "reason": entry.reason,
        "household_group": group or entry.household_key,
        "address": entry.address,
        "last_exposure": entry.last_exposure.isoformat() if entry.last_exposure else None,
        "edition": entry.edition_code,
        "status": entry.status,
        "companion_of": entry.companion_of_id,
        "needs": {
            "labels": entry.need_labels(),
            "minor": entry.is_minor,
            "elderly_alone": entry.elderly_alone,
            "wheelchair": entry.wheelchair,
            "chronic_medicine": entry.chronic_medicine,
            "dialysis": entry.dialysis,
            "pregnancy": entry.pregnancy,
            "pets": entry.pets,
            "medicine_to_bring": entry.medicine_to_bring,
        },
    }
