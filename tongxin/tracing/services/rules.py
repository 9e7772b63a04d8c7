"""The tracing rules of the incident's policy edition, read in one place.

Days, test days, floors, minutes, deadlines and default stays are edition data (added to
"np-8" and "np-9" by this app's data migration); nothing here is a rule by itself.
"""

import datetime as dt
from dataclasses import dataclass
from typing import Any

from tongxin.incidents.models import PolicyEdition

# Which edition key holds each level's management (the close/secondary keys are shared with
# the isolation module; the other two are added by tracing's data migration).
LEVEL_RULE_KEY = {
    "close": "close_contact",
    "secondary": "secondary_contact",
    "companion": "companion",
    "general": "general_contact",
}


class MissingRule(LookupError):
    """The edition lacks a tracing rule: the county must add it before deriving."""


def _need(edition: PolicyEdition, *keys: str) -> Any:
    value = edition.rule(*keys)
    if value is None:
        raise MissingRule(f"{edition.code}: {'.'.join(keys)}")
    return value


@dataclass(frozen=True)
class LevelRule:
    measure: str  # centralized | home_isolation | testing | monitoring
    centralized_days: int
    home_days: int
    days: int  # total days of management counted from the last exposure
    test_days: tuple[int, ...]
    home_test_days: tuple[int, ...]

    def ends_on(self, last_exposure: dt.date) -> dt.date:
        return last_exposure + dt.timedelta(days=self.days)

    def test_dates(self, last_exposure: dt.date) -> list[dt.date]:
        """Day N of management is N days after the last exposure; home test days count from
        the first day at home."""
        dates = [last_exposure + dt.timedelta(days=d) for d in self.test_days]
        start_home = last_exposure + dt.timedelta(days=self.centralized_days)
        dates += [start_home + dt.timedelta(days=d) for d in self.home_test_days]
        return sorted(set(dates))


def level_rule(edition: PolicyEdition, level: str) -> LevelRule:
    rule = _need(edition, LEVEL_RULE_KEY[level])
    centralized = int(rule.get("centralized_days", 0))
    home = int(rule.get("home_monitoring_days", 0)) + int(rule.get("home_isolation_days", 0))
    measure = rule.get("measure") or (
        "centralized" if centralized else "home_isolation" if home else "monitoring"
    )
    days = int(rule.get("days", centralized + home))
    return LevelRule(
        measure=measure,
        centralized_days=centralized,
        home_days=home,
        days=days,
        test_days=tuple(int(d) for d in rule.get("test_days", [])),
        home_test_days=tuple(int(d) for d in rule.get("home_test_days", [])),
    )


def exposure_window_days(edition: PolicyEdition) -> int:
    return int(_need(edition, "tracing", "exposure_window_days_before_onset"))


def venue_min_minutes(edition: PolicyEdition) -> int:
    return int(_need(edition, "tracing", "venue_min_minutes"))


@dataclass(frozen=True)
class BuildingRule:
    household_level: str  # co-residents
    scope: str  # "building" or "stairwell": where the floor rule looks
    floor_level: str  # level of the same floor and the floors within the distances
    floors_above: int
    floors_below: int
    rest_level: str  # level of the rest of the scope ("" = none)


def building_rule(edition: PolicyEdition) -> BuildingRule:
    rule = _need(edition, "tracing", "building_rule")
    return BuildingRule(
        household_level=rule.get("household_level", ""),
        scope=rule.get("scope", "building"),
        floor_level=rule.get("floor_level", ""),
        floors_above=int(rule.get("floors_above", 0)),
        floors_below=int(rule.get("floors_below", 0)),
        rest_level=rule.get("rest_level", ""),
    )


def max_stay(edition: PolicyEdition) -> dt.timedelta:
    """The longest a single check-in may last: a longer one (an exit never scanned) is cut
    here at import, and co-presence searches look this far back for entries."""
    return dt.timedelta(hours=int(_need(edition, "tracing", "max_stay_hours")))


def deadlines_hours(edition: PolicyEdition) -> dict[str, int]:
    return {k: int(v) for k, v in _need(edition, "tracing", "deadlines_hours").items()}


def default_stay_minutes(edition: PolicyEdition) -> dict[str, int]:
    return {k: int(v) for k, v in _need(edition, "tracing", "default_stay_minutes").items()}


def stay_minutes_for(table: dict[str, int], kind: str) -> int:
    """The default stay of a venue kind; "other" is the edition's fallback for kinds it omits."""
    if kind in table:
        return table[kind]
    if "other" not in table:
        raise MissingRule(f"default_stay_minutes.{kind}")
    return table["other"]
