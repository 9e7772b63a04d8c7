"""The care app's business rules. Views, the API, commands and the demo call these.

Other modules use:
    care_profile_for(person, *, audit=True) -> CareProfile | None
    care_tags_for(person_ids) -> {person_id: [tag, …]}
    special_population_counts(place, user) -> {tag: count}
    NO_TEST_REQUIRED_NOTICE
"""

from tongxin.care.services.profile import (
    NO_TEST_REQUIRED_NOTICE,
    CareProfile,
    care_profile_for,
    care_tags_for,
    describe,
    special_population_counts,
    weekdays_label,
)

__all__ = [
    "NO_TEST_REQUIRED_NOTICE",
    "CareProfile",
    "care_profile_for",
    "care_tags_for",
    "describe",
    "special_population_counts",
    "weekdays_label",
]
