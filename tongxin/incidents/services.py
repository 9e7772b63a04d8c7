"""Opening and closing incidents, and switching the policy edition in force."""

import datetime as dt
import json
from pathlib import Path

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from tongxin.incidents.models import Incident, PolicyEdition

EDITIONS_FILE = Path(__file__).parent / "data" / "policy_editions.json"


class IncidentError(ValueError):
    pass


def load_policy_editions(path: Path = EDITIONS_FILE) -> list[PolicyEdition]:
    """Create or update the editions described in a JSON file (the bundled one by default)."""
    editions = []
    for item in json.loads(path.read_text(encoding="utf-8")):
        edition, _created = PolicyEdition.objects.update_or_create(
            code=item["code"],
            defaults={
                "name": item["name"],
                "effective_from": dt.date.fromisoformat(item["effective_from"]),
                "rules": item["rules"],
            },
        )
        editions.append(edition)
    return editions


def open_incident(
    name: str, edition: PolicyEdition, started_at: dt.datetime | None = None
) -> Incident:
    return Incident.objects.create(
        name=name, policy_edition=edition, started_at=started_at or timezone.now()
    )


def switch_policy(incident: Incident, edition: PolicyEdition) -> Incident:
    if not incident.is_open:
        raise IncidentError(_("响应事件已结束，不能更换方案"))
    incident.policy_edition = edition
    incident.save(update_fields=["policy_edition"])
    return incident


@transaction.atomic
def close_incident(incident: Incident, ended_at: dt.datetime | None = None) -> Incident:
    """End the incident and start the retention clock for the personal data it collected."""
    incident = Incident.objects.select_for_update().get(pk=incident.pk)
    if not incident.is_open:
        raise IncidentError(_("响应事件已经结束"))
    ended_at = ended_at or timezone.now()
    if ended_at < incident.started_at:
        raise IncidentError(_("结束时间不能早于开始时间"))
    days = incident.policy_edition.rule(
        "personal_data_retention_days", default=settings.TONGXIN_DEFAULT_RETENTION_DAYS
    )
    incident.ended_at = ended_at
    incident.retention_days = days
    incident.purge_due_on = timezone.localdate(ended_at) + dt.timedelta(days=days)
    incident.save(update_fields=["ended_at", "retention_days", "purge_due_on"])
    return incident


@transaction.atomic
def start_incident(name: str, edition_code: str) -> tuple[Incident, bool]:
    """Open an incident by name on an edition (audited). (incident, created): the same name
    on the same edition, still open, is the same incident (a re-run script changes nothing);
    any other clash is refused."""
    from tongxin.audit.models import AuditAction
    from tongxin.audit.services import record

    edition = PolicyEdition.objects.filter(code=edition_code).first()
    if edition is None:
        codes = "、".join(PolicyEdition.objects.values_list("code", flat=True))
        raise IncidentError(
            _("没有防控方案版本“%(code)s”（可用：%(codes)s）")
            % {"code": edition_code, "codes": codes}
        )
    name = name.strip()
    if not name:
        raise IncidentError(_("请填写事件名称"))
    existing = Incident.objects.filter(name=name).first()
    if existing is not None:
        if existing.policy_edition_id == edition.pk and existing.is_open:
            return existing, False
        raise IncidentError(_("已有同名的响应事件“%(name)s”") % {"name": name})
    incident = open_incident(name, edition)
    record(AuditAction.CREATE, incident, detail={"edition": edition.code})
    return incident, True


@transaction.atomic
def end_incident(incident: Incident) -> Incident:
    """Close the incident (audited): the deletion date of its personal data is set."""
    from tongxin.audit.models import AuditAction
    from tongxin.audit.services import record

    incident = close_incident(incident)
    record(
        AuditAction.UPDATE,
        incident,
        detail={"closed": True, "purge_due_on": str(incident.purge_due_on)},
    )
    return incident
