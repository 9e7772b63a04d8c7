"""The testing app's business rules. Views, the API, commands and the demo call these.

Other apps use: `sampling_mode_for`, `sampling_modes_for`, `should_test`, `exempted`.
"""

from tongxin.testing.services.modes import (
    edition_mode,
    mode_for_size,
    sampling_mode_for,
    sampling_modes_for,
)
from tongxin.testing.services.scope import (
    EXPECTED_STATUSES,
    exempted,
    in_scope,
    scope_paths,
    scope_q,
    should_test,
)

__all__ = [
    "EXPECTED_STATUSES",
    "edition_mode",
    "exempted",
    "in_scope",
    "mode_for_size",
    "sampling_mode_for",
    "sampling_modes_for",
    "scope_paths",
    "scope_q",
    "should_test",
]
