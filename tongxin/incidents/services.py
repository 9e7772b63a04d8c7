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
