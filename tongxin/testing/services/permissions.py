"""Who may do what with rounds. Where they may do it is each model's `visible_to`."""

from typing import Any

from tongxin.accounts.permissions import Perm, has_perm


def can_manage_testing(user: Any) -> bool:
    """Launch rounds, set their scope and modes, set up test points."""
    return has_perm(user, Perm.MANAGE_TESTING)


def can_plan(user: Any) -> bool:
    """Run the planner and move buildings between slots, within one's own estates."""
    return has_perm(user, Perm.PLAN_TESTING)


def can_remind(user: Any) -> bool:
    """Remind households and record exemptions, within one's own estates."""
    return has_perm(user, Perm.REMIND_RESIDENTS)
