"""Recording the audit trail. Everything that touches personal data calls `record`."""

import datetime as dt
import json
from collections.abc import Callable, Iterable, Iterator
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import models
from django.dispatch import Signal
from django.utils import timezone
from django.utils.translation import gettext as _

from tongxin.audit.context import current_actor
from tongxin.audit.models import AuditAction, AuditEvent
from tongxin.core.bulk import NewRows, copies, copy_rows


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
    """Bulk form for imports: (action, target, changes) triples, one insert per thousand.
    `record_rows` writes the same events by COPY on PostgreSQL."""
    rows = [_event(action, target, changes=changes) for action, target, changes in events]
    AuditEvent.objects.bulk_create(rows, batch_size=1000)
    return len(rows)


def record_rows(rows: Iterable[tuple[str, str, str, str, dict[str, Any] | str]]) -> int:
    """One event per (action, target type, target id, label, changes) row, the acting user
    and the time taken once: for bulk paths that hold ids and labels rather than objects
    (thousands of derived contacts). `changes` may be given already encoded as JSON text.
    The same rows as `record_many`; PostgreSQL takes them by COPY."""
    rows = list(rows)  # labels and ids worked out before the COPY holds the connection
    actor = current_actor()
    if not copies():
        events = [
            _event(
                action,
                target_type=target_type,
                target_id=target_id,
                label=label,
                changes=json.loads(changes) if isinstance(changes, str) else changes,
            )
            for action, target_type, target_id, label, changes in rows
        ]
        AuditEvent.objects.bulk_create(events, batch_size=1000)
        return len(events)
    new = NewRows(AuditEvent, timezone.now())
    user = actor.user.pk if actor.user is not None else None
    base = new.db_row(
        new.row(
            {
                "actor_id": user,
                "actor_label": actor.label,
                "channel": actor.channel,
                "ip": actor.ip,
                "changes": {},
                "detail": {},
            }
        )
    )
    fields = [f for f in new.fields if not f.primary_key]
    names = [f.attname for f in fields]
    i_action, i_type, i_id, i_label, i_changes = (
        names.index(name)
        for name in ("action", "target_type", "target_id", "target_label", "changes")
    )
    template = [base[new.index[name]] for name in names]

    def out() -> Iterator[list[Any]]:
        for action, target_type, target_id, label, changes in rows:
            row = template.copy()
            row[i_action], row[i_type], row[i_id] = action, target_type, target_id
            row[i_label] = label[:255]
            row[i_changes] = changes if isinstance(changes, str) else json.dumps(changes or {})
            yield row

    return copy_rows(AuditEvent, fields, out())


# Checks that must pass before any value is shown in clear (a reveal, a list with values in
# clear, an unmasked export); each takes the acting user and raises PermissionDenied. The
# security app registers the second-factor rule here, so every module's reveal is held by it.
clear_value_guards: list[Callable[[Any], None]] = []


def guard_clear_values(user: Any) -> None:
    for guard in clear_value_guards:
        guard(user)


def record_reveals(targets: Iterable[models.Model], field: str) -> int:
    """One reveal event per target (a list showing several values in clear), in one insert."""
    guard_clear_values(current_actor().user)
    rows = [_event(AuditAction.REVEAL, t, detail={"field": field}) for t in targets]
    AuditEvent.objects.bulk_create(rows, batch_size=1000)
    return len(rows)


def record_view(target: models.Model) -> AuditEvent:
    return record(AuditAction.VIEW, target)


class RevealLimitExceeded(PermissionDenied):
    """Too many values revealed one by one within the hour (TONGXIN_REVEALS_PER_HOUR)."""


# Sent after a reveal that brings the actor's hourly count to the alert threshold; the security
# app tells the command post.
reveal_volume = Signal()  # sender=AuditEvent, user, count, limit


def reveals_in_last_hour(user: Any, now: dt.datetime | None = None) -> int:
    """One-by-one reveals (those asked for with a reason) by the user in the last hour."""
    since = (now or timezone.now()) - dt.timedelta(hours=1)
    return AuditEvent.objects.filter(
        actor=user, action=AuditAction.REVEAL, at__gte=since, detail__has_key="reason"
    ).count()


def record_reveal(target: models.Model, field: str, reason: str = "") -> AuditEvent:
    """One value shown in clear, with the reason given; refused past the hourly limit."""
    user = current_actor().user
    guard_clear_values(user)
    limit = int(getattr(settings, "TONGXIN_REVEALS_PER_HOUR", 30))
    count = reveals_in_last_hour(user) if user is not None else 0
    if user is not None and count >= limit:
        raise RevealLimitExceeded(
            _("一小时内查看明文已达 %(limit)s 次上限，请稍后再试；如确有需要请联系指挥部。")
            % {"limit": limit}
        )
    event = record(AuditAction.REVEAL, target, detail={"field": field, "reason": reason})
    threshold = int(getattr(settings, "TONGXIN_REVEAL_ALERT_THRESHOLD", 15))
    if user is not None and count + 1 in (threshold, limit):
        reveal_volume.send(AuditEvent, event=event, user=user, count=count + 1, limit=limit)
    return event


def record_export(
    kind: str, filters: dict[str, Any], row_count: int, unmasked: bool, reason: str = ""
) -> AuditEvent:
    if unmasked:
        guard_clear_values(current_actor().user)
    detail = {"filters": filters, "rows": row_count, "unmasked": unmasked}
    if reason:
        detail["reason"] = reason
    return record(
        AuditAction.EXPORT,
        target_type=kind,
        label=f"{kind} ×{row_count}",
        detail=detail,
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
