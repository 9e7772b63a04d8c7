"""Who may see and keep care records and green-channel runs. Where a user may act is always
jurisdiction's business (`visible_to`)."""

from typing import Any

from tongxin.accounts.permissions import Perm, has_perm


def can_view_care(user: Any) -> bool:
    """Health data: the grid that keeps it, the command post, the hotline and transfer teams."""
    return has_perm(user, Perm.VIEW_CARE)


def can_manage_care(user: Any) -> bool:
    """Kept up by the grid (and the command post); the hotline reads but does not edit."""
    return has_perm(user, Perm.MANAGE_CARE)


def can_plan_runs(user: Any) -> bool:
    return has_perm(user, Perm.PLAN_GREEN_RUNS)


def can_view_runs(user: Any) -> bool:
    """Who sees the runs of the townships in their jurisdiction (a crew sees its own runs
    regardless)."""
    return has_perm(user, Perm.VIEW_GREEN_RUNS)


def can_manage_slots(user: Any) -> bool:
    return has_perm(user, Perm.MANAGE_HOSPITAL_SLOTS)
