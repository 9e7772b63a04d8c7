"""What commands, the API and the pages show about contacts: masked, with the case's identity
only where the viewer may see it."""

from typing import Any

from django.db.models import Count

from tongxin.incidents.models import Incident
from tongxin.tracing.models import (
    Contact,
    Level,
    Management,
    ManagementQuerySet,
    ManagementStatus,
)
from tongxin.tracing.services.followup import missed_counts


def mask_name(name: str) -> str:
    """张三 → 张*, 欧阳小明 → 欧***: enough to tell people apart on a list."""
    return (name[:1] + "*" * (len(name) - 1)) if name else ""


def who(m: Management) -> dict[str, Any]:
    """The masked identity of a management record's person."""
    p = m.person or m.outside_person
    return {
        "name": mask_name(p.name) if p else "",
        "document": p.document_masked if p else "",
        "phone": p.phone_masked if p else "",
        "in_registry": m.person_id is not None,
    }


def source_label(c: Contact) -> str:
    if c.source_case_id:
        assert c.source_case is not None
        return c.source_case.label
    if c.source_management_id:
        assert c.source_management is not None
        upstream = c.source_management.contacts.filter(source_case__isnull=False).first()
        via = f"{upstream.source_case.label}的" if upstream and upstream.source_case else ""
        return f"{via}密接#{c.source_management_id}"
    return c.external_source or "—"


def contact_dict(c: Contact) -> dict[str, Any]:
    """A contact link for investigators (it names its source case by number)."""
    return {
        "contact": c.pk,
        "management": c.management_id,
        "person": who(c.management),
        "level": c.level,
        "level_label": str(Level(c.level).label),
        "exposure_type": c.exposure_type,
        "exposure_type_label": c.get_exposure_type_display(),
        "source": source_label(c),
        "reason": c.reason,
        "first_exposure": c.first_exposure.isoformat(),
        "last_exposure": c.last_exposure.isoformat(),
        "status": c.status,
    }


def management_dict(m: Management) -> dict[str, Any]:
    """A person's management as grids and isolation see it: no case, no source."""
    return {
        "management": m.pk,
        **who(m),
        "level": m.level,
        "level_label": m.get_level_display(),
        "status": m.status,
        "status_label": m.get_status_display(),
        "measure": m.measure,
        "last_exposure": m.last_exposure.isoformat() if m.last_exposure else None,
        "ends_on": m.ends_on.isoformat() if m.ends_on else None,
        "test_dates": m.test_dates,
        "isolated_at": m.isolated_at.isoformat() if m.isolated_at else None,
    }


def counts(qs: ManagementQuerySet) -> dict[str, dict[str, int]]:
    table: dict[str, dict[str, int]] = {
        lv: {s: 0 for s in ManagementStatus.values if s != ManagementStatus.CANDIDATE}
        for lv in Level.values
    }
    for level, status, n in (
        qs.confirmed().order_by().values_list("level", "status").annotate(n=Count("pk"))
    ):
        if level in table:
            table[level][status] = n
    return table


def contacts_overview(incident: Incident, qs: ManagementQuerySet) -> dict[str, Any]:
    """Counts per level and management status, and the list (masked, with the end date)."""
    qs = qs.filter(incident=incident)
    rows = qs.confirmed().select_related("person", "outside_person").order_by("ends_on", "pk")
    return {
        "incident": incident.pk,
        "counts": counts(qs),
        "candidates": Contact.objects.filter(
            incident=incident, management__in=qs, status="candidate"
        ).count(),
        "missed": missed_counts(
            rows.exclude(status__in=[ManagementStatus.RELEASED, ManagementStatus.BECAME_CASE])
        ),
        "contacts": [management_dict(m) for m in rows],
    }
