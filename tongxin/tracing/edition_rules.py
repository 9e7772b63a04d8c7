"""Tracing's rules as they are added to the bundled policy editions (np-8, np-9) by the data
migrations 0002_edition_rules and 0004_contact_household_zone. Keys a county has already set
are left alone."""

from typing import Any

_STAYS = {
    "supermarket": 40,
    "market": 40,
    "restaurant": 60,
    "hospital": 90,
    "school": 480,
    "workplace": 480,
    "transport": 60,
    "entertainment": 120,
    "other": 30,
}

RULES = {
    "np-8": {
        "tracing": {
            "exposure_window_days_before_onset": 4,
            "venue_min_minutes": 15,
            "max_stay_hours": 24,
            "building_rule": {
                "name": "独立厨卫：同户密接，同层及上下一层次密接",
                "household_level": "close",
                "scope": "building",
                "floor_level": "secondary",
                "floors_above": 1,
                "floors_below": 1,
                "rest_level": "",
            },
            "deadlines_hours": {"core_information": 4, "report": 24},
            "default_stay_minutes": _STAYS,
            "contact_household_zone": {"levels": ["close"], "kind": "controlled"},
        },
        "companion": {"measure": "testing", "days": 3, "test_days": [1, 2]},
        "general_contact": {"measure": "monitoring", "days": 0, "test_days": []},
    },
    "np-9": {
        "tracing": {
            "exposure_window_days_before_onset": 4,
            "venue_min_minutes": 15,
            "max_stay_hours": 24,
            "building_rule": {
                "name": "独立厨卫：同户密接，同层及上下一层次密接",
                "household_level": "close",
                "scope": "building",
                "floor_level": "secondary",
                "floors_above": 1,
                "floors_below": 1,
                "rest_level": "",
            },
            "deadlines_hours": {"core_information": 4, "report": 24},
            "default_stay_minutes": _STAYS,
            "contact_household_zone": {"levels": ["close"], "kind": "medium"},
        },
        "companion": {"measure": "testing", "days": 3, "test_days": [1, 2]},
        "general_contact": {"measure": "monitoring", "days": 0, "test_days": []},
    },
}


def add_to_editions(policy_edition_model: Any) -> None:
    """Add the keys each bundled edition lacks (also used by tests that reload the editions)."""
    for code, rules in RULES.items():
        edition = policy_edition_model.objects.filter(code=code).first()
        if edition is None:
            continue
        for key, value in rules.items():
            have = edition.rules.setdefault(key, value)
            if isinstance(have, dict) and isinstance(value, dict):
                for inner, setting in value.items():
                    have.setdefault(inner, setting)
        edition.save(update_fields=["rules"])
