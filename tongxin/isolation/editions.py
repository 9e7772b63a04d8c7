"""The isolation rules this app adds to the bundled policy editions (by data migration 0002).

Under each edition's "isolation" key: per level (close = 密接, secondary = 次密接, arrival =
来自风险地区), the days of centralized isolation counted from the last exposure, the days at
home afterwards (home health monitoring, or home isolation when there is no centralized part),
the test days in the site and at home; whether one household may share a room, and under which
age a child may bring one companion.
"""

from typing import Any

ISOLATION_RULES: dict[str, dict[str, Any]] = {
    "np-8": {
        "household_sharing": False,
        "minor_companion_age": 14,
        "levels": {
            "close": {
                "centralized_days": 14, "home_days": 7, "home_kind": "home_monitoring",
                "test_days": [1, 4, 7, 14], "home_test_days": [2, 7],
            },
            "secondary": {
                "centralized_days": 7, "home_days": 0, "home_kind": "home_monitoring",
                "test_days": [1, 4, 7], "home_test_days": [],
            },
            "arrival": {
                "centralized_days": 14, "home_days": 7, "home_kind": "home_monitoring",
                "test_days": [1, 4, 7, 14], "home_test_days": [2, 7],
            },
        },
    },
    "np-9": {
        "household_sharing": True,
        "minor_companion_age": 14,
        "levels": {
            "close": {
                "centralized_days": 7, "home_days": 3, "home_kind": "home_monitoring",
                "test_days": [1, 2, 3, 5, 7], "home_test_days": [3],
            },
            "secondary": {
                "centralized_days": 0, "home_days": 7, "home_kind": "home_isolation",
                "test_days": [], "home_test_days": [1, 4, 7],
            },
            "arrival": {
                "centralized_days": 7, "home_days": 3, "home_kind": "home_monitoring",
                "test_days": [1, 2, 3, 5, 7], "home_test_days": [3],
            },
        },
    },
}  # fmt: skip


def add_isolation_rules(policy_edition_model: Any) -> None:
    """Put the isolation rules into the bundled editions (the data migration; also tests that
    reloaded the editions from their file)."""
    for code, rules in ISOLATION_RULES.items():
        edition = policy_edition_model.objects.filter(code=code).first()
        if edition is None:
            continue
        edition.rules = {**edition.rules, "isolation": rules}
        edition.save(update_fields=["rules"])
