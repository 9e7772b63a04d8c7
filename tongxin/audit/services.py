"""Recording the audit trail. Everything that touches personal data calls `record`."""

from collections.abc import Iterable
from typing import Any

from django.db import models

from tongxin.audit.context import current_actor
from tongxin.audit.models import AuditAction, AuditEvent


def target_type_of(obj: models.Model | type[models.Model]) -> str:
    return f"{obj._meta.app_label}.{obj._meta.model_name}"


def _event(
    action: str,
    target: models.Model | None = None,
    *,
    target_type: str = "",
    target_id: str = "",
    label: str = "",
    changes: dict[str, Any] | None = None,
    detail: dict[str, Any] | None = None,
) -> AuditEvent:
    actor = current_actor()
    if target is not None:
        target_type = target_type or target_type_of(target)
        target_id = target_id or str(target.pk)
        label = label or str(target)
    return AuditEvent(
        actor=actor.user,
        actor_label=actor.label,
        channel=actor.channel,
        ip=actor.ip,
        action=action,
        target_type=target_type,
        target_id=target_id,
        target_label=label[:255],
        changes=changes or {},
        detail=detail or {},
    )


def record(action: str, target: models.Model | None = None, **kwargs: Any) -> AuditEvent:
    event = _event(action, target, **kwargs)
    event.save()
    return event


def record_many(events: Iterable[tuple[str, models.Model, dict[str, Any]]]) -> int:
    """Bulk form for imports: (action, target, changes) triples, one insert per thousand."""
    rows = [_event(action, target, changes=changes) for action, target, changes in events]
    AuditEvent.objects.bulk_create(rows, batch_size=1000)
    return len(rows)


def record_reveals(targets: Iterable[models.Model], field: str) -> int:
    """One reveal event per target (a list showing several values in clear), in one insert."""
    rows = [_event(AuditAction.REVEAL, t, detail={"field": field}) for t in targets]
    AuditEvent.objects.bulk_create(rows, batch_size=1000)
    return len(rows)


def record_view(target: models.Model) -> AuditEvent:
    return record(AuditAction.VIEW, target)


def record_reveal(target: models.Model, field: str) -> AuditEvent:
    return record(AuditAction.REVEAL, target, detail={"field": field})


def record_export(kind: str, filters: dict[str, Any], row_count: int, unmasked: bool) -> AuditEvent:
    return record(
        AuditAction.EXPORT,
        target_type=kind,
        label=f"{kind} ×{row_count}",
        detail={"filters": filters, "rows": row_count, "unmasked": unmasked},
    )


PURGED_LABEL = "（个人信息已按保留期限删除）"


def scrub_events(target_type: str, ids: Iterable[Any], *, dry_run: bool = False) -> int:
    """Keep the fact of each recorded act on these objects (who, when, what kind of act and
    object) but drop what could lead back to a person: the label, the changes (masked forms,
    person links) and the details. Safe to run again."""
    keys = [str(i) for i in ids]
    total = 0
    for start in range(0, len(keys), 900):
        events = AuditEvent.objects.filter(
            target_type=target_type, target_id__in=keys[start : start + 900]
        ).exclude(target_label=PURGED_LABEL)
        if dry_run:
            total += events.count()
        else:
            total += events.update(target_label=PURGED_LABEL, changes={}, detail={"purged": True})
    return total
