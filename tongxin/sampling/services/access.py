"""Who may do what in sampling; where is always `visible_to(user)`."""

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


def can(user: Any, action: str) -> bool:
    return has_perm(user, _PERMS[action])
