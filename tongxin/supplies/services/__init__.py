"""Supplies rules: stock that never goes negative, requests, household deliveries."""

from typing import Any

from tongxin.incidents.models import Incident


class SuppliesError(ValueError):
    """A rule refused the action; the message is in Chinese, for the person."""


DEFAULTS: dict[str, Any] = {"people_per_package": 3}


def rule(incident: Incident, key: str) -> Any:
    return incident.policy_edition.rule("supplies", key, default=DEFAULTS[key])
