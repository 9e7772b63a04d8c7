"""Who may do what in sampling; where is always `visible_to(user)`.

Points staffed by people who are not samplers by role: another app may say that a user works
at some test points (an isolation site is a test point for its own staff). Such a user records
samples at those points only, through the same `record_batch` and all its checks."""

from collections.abc import Callable, Iterable
from typing import Any

from tongxin.accounts.permissions import Perm, has_perm

_PERMS: dict[str, Perm] = {
    "record_samples": Perm.RECORD_SAMPLES,
    "import_results": Perm.IMPORT_RESULTS,
    "view_coverage": Perm.VIEW_COVERAGE,
    "manage_sampling": Perm.MANAGE_SAMPLING,
    "handover": Perm.HANDOVER_SAMPLES,
    "view_recalls": Perm.VIEW_RECALLS,
}

PointStaff = Callable[[Any], Iterable[int]]
_POINT_STAFF: dict[str, PointStaff] = {}


def can(user: Any, action: str) -> bool:
    return has_perm(user, _PERMS[action])


def register_point_staff(name: str, provider: PointStaff) -> None:
    """`provider(user)` gives the ids of the test points the user staffs (registered once per
    app, in its `ready`)."""
    _POINT_STAFF[name] = provider


def staffed_points(user: Any) -> frozenset[int]:
    """The test points the user records samples at by assignment rather than by role."""
    if user is None or not getattr(user, "is_authenticated", False) or not user.is_active:
        return frozenset()
    found: set[int] = set()
    for provider in _POINT_STAFF.values():
        found.update(provider(user))
    return frozenset(found)
