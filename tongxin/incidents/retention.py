"""The retention purge (PIPL art. 47): personal data is deleted when its time is up.

For every closed incident whose deletion date (`purge_due_on`, set when it closed from the
edition's retention days) has come, each module's registered handler deletes or irreversibly
anonymises what the module collected for it; aggregates (counts per place, per round, per day)
stay. Then the standing rules run for data not tied to an incident (the care registry). The
residents registry (people.Person) is permanent county data and is not touched.

`tongxin retention purge` runs this daily from cron; a dry run reports the same counts and
changes nothing. Running it again is safe: handlers only find what is still there. Each run
that removed anything is recorded in the audit trail with its counts per kind.
"""

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _

from tongxin.audit.models import AuditAction
from tongxin.audit.services import record
from tongxin.incidents.models import Incident
from tongxin.incidents.registry import purge_handlers, standing_purge_handlers


@dataclass
class PurgeReport:
    dry_run: bool
    today: dt.date
    incidents: list[dict[str, Any]] = field(default_factory=list)
    counts: dict[str, int] = field(default_factory=dict)
    standing: dict[str, int] = field(default_factory=dict)
    pending: list[dict[str, Any]] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return {
            "dry_run": self.dry_run,
            "today": self.today.isoformat(),
            "incidents": self.incidents,
            "counts": dict(sorted(self.counts.items())),
            "standing": dict(sorted(self.standing.items())),
            "pending": self.pending,
        }


def due_incidents(today: dt.date) -> list[Incident]:
    return list(
        Incident.objects.filter(ended_at__isnull=False, purge_due_on__lte=today).order_by("pk")
    )


def handler_order(modules: list[str]) -> list[str]:
    """Higher apps first (the reverse of INSTALLED_APPS, where each app comes after those it
    builds on): a case in tracing that points at a positive in sampling goes before it."""
    from django.apps import apps

    position = {c.label: i for i, c in enumerate(apps.get_app_configs())}
    return sorted(modules, key=lambda m: (-position.get(m, len(position)), m))


def purge_incident(incident: Incident, *, dry_run: bool) -> dict[str, int]:
    """Run every module's handler for one incident. Counts keyed "app.kind"."""
    counts: dict[str, int] = {}
    handlers = purge_handlers()
    for module in handler_order(list(handlers)):
        handler = handlers[module]
        for kind, n in handler(incident, dry_run=dry_run).items():
            counts[f"{module}.{kind}"] = counts.get(f"{module}.{kind}", 0) + int(n)
    return counts


def purge(*, dry_run: bool = False, today: dt.date | None = None) -> PurgeReport:
    today = today or timezone.localdate()
    report = PurgeReport(dry_run=dry_run, today=today)
    for incident in due_incidents(today):
        counts = purge_incident(incident, dry_run=dry_run)
        for kind, n in counts.items():
            report.counts[kind] = report.counts.get(kind, 0) + n
        report.incidents.append(
            {
                "id": incident.pk,
                "name": incident.name,
                "purge_due_on": incident.purge_due_on.isoformat() if incident.purge_due_on else "",
                "counts": counts,
            }
        )
        if not dry_run:
            if incident.purged_at is None:
                Incident.objects.filter(pk=incident.pk).update(purged_at=timezone.now())
            if any(counts.values()):
                record(
                    AuditAction.DELETE,
                    incident,
                    label=_("按保留期限删除个人信息：%(name)s") % {"name": incident.name},
                    detail={"retention_purge": True, "counts": counts},
                )
    for module, handler in sorted(standing_purge_handlers().items()):
        for kind, n in handler(dry_run=dry_run, today=today).items():
            report.standing[f"{module}.{kind}"] = int(n)
    removed = {k: v for k, v in report.standing.items() if v and not k.endswith("due_review")}
    if not dry_run and removed:
        record(
            AuditAction.DELETE,
            target_type="retention.standing",
            label=_("按保留规则删除个人信息"),
            detail={"retention_purge": True, "counts": report.standing},
        )
    for incident in Incident.objects.filter(
        ended_at__isnull=False, purge_due_on__gt=today
    ).order_by("purge_due_on"):
        report.pending.append(
            {"id": incident.pk, "name": incident.name, "purge_due_on": str(incident.purge_due_on)}
        )
    return report
