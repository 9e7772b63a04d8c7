"""The edition's isolation rules, read from the incident's edition (or a stay's snapshot)."""

from typing import Any

from django.utils.translation import gettext as _

from tongxin.incidents.models import PolicyEdition
from tongxin.isolation.services import IsolationError


def isolation_rules(edition: PolicyEdition) -> dict[str, Any]:
    rules = edition.rule("isolation", default=None)
    if not isinstance(rules, dict):
        raise IsolationError(_("防控方案 %(code)s 没有集中隔离规则") % {"code": edition.code})
    return rules


def level_rule(edition: PolicyEdition, level: str) -> dict[str, Any]:
    """What the edition says for a level, with the edition-wide keys the stay needs."""
    rules = isolation_rules(edition)
    per_level = (rules.get("levels") or {}).get(level)
    if not isinstance(per_level, dict):
        raise IsolationError(
            _("防控方案 %(code)s 没有“%(level)s”的隔离规则")
            % {"code": edition.code, "level": level}
        )
    return {
        **per_level,
        "household_sharing": bool(rules.get("household_sharing", False)),
        "minor_companion_age": int(rules.get("minor_companion_age", 0)),
        "edition": edition.code,
    }


def household_sharing(edition: PolicyEdition) -> bool:
    return bool(isolation_rules(edition).get("household_sharing", False))


def minor_age(edition: PolicyEdition) -> int:
    return int(isolation_rules(edition).get("minor_companion_age", 0))
