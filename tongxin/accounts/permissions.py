"""What each role may do. Where it may do it is `jurisdiction`'s business."""

from enum import StrEnum
from typing import Any

from tongxin.accounts.models import Role


class Perm(StrEnum):
    VIEW_PLACES = "view_places"
    MANAGE_PLACES = "manage_places"
    VIEW_RESIDENTS = "view_residents"
    REVEAL_PERSONAL = "reveal_personal"
    IMPORT_RESIDENTS = "import_residents"
    EXPORT_RESIDENTS = "export_residents"
    EXPORT_UNMASKED = "export_unmasked"
    VIEW_AUDIT = "view_audit"
    MANAGE_INCIDENTS = "manage_incidents"
    MANAGE_STAFF = "manage_staff"
    MANAGE_ZONES = "manage_zones"
    ISSUE_DIRECTIVES = "issue_directives"
    VIEW_DELIVERIES = "view_deliveries"
    MANAGE_TESTING = "manage_testing"
    PLAN_TESTING = "plan_testing"
    REMIND_RESIDENTS = "remind_residents"
    VIEW_HELP_REQUESTS = "view_help_requests"
    TAKE_HELP_REQUESTS = "take_help_requests"
    VIEW_CARE = "view_care"
    MANAGE_CARE = "manage_care"
    PLAN_GREEN_RUNS = "plan_green_runs"
    MANAGE_HOSPITAL_SLOTS = "manage_hospital_slots"
    VIEW_GREEN_RUNS = "view_green_runs"
    RECORD_SAMPLES = "record_samples"
    IMPORT_RESULTS = "import_results"
    VIEW_COVERAGE = "view_coverage"
    MANAGE_SAMPLING = "manage_sampling"
    HANDOVER_SAMPLES = "handover_samples"
    VIEW_RECALLS = "view_recalls"
    VIEW_COMMAND = "view_command"
    VIEW_REPORTS = "view_reports"
    EDIT_REPORTS = "edit_reports"
    REVIEW_REPORTS = "review_reports"
    ISSUE_REPORTS = "issue_reports"
    MANAGE_NOTICES = "manage_notices"


_ALL_ROLES: set[str] = set(Role)

GRANTS: dict[Perm, set[str]] = {  # type: ignore[dict-item]  # Role members are str
    Perm.VIEW_PLACES: _ALL_ROLES,
    Perm.MANAGE_PLACES: {Role.COMMAND_POST, Role.UNIT_LEADER, Role.SYSADMIN},
    Perm.VIEW_RESIDENTS: {
        Role.COMMAND_POST, Role.UNIT_LEADER, Role.GRID_STAFF, Role.TEST_POINT,
        Role.INVESTIGATOR, Role.TRANSFER, Role.HELPDESK,
    },
    Perm.REVEAL_PERSONAL: {
        Role.COMMAND_POST, Role.UNIT_LEADER, Role.GRID_STAFF, Role.INVESTIGATOR,
        Role.TRANSFER, Role.HELPDESK,
    },
    Perm.IMPORT_RESIDENTS: {Role.COMMAND_POST, Role.UNIT_LEADER, Role.GRID_STAFF},
    Perm.EXPORT_RESIDENTS: {Role.COMMAND_POST, Role.UNIT_LEADER},
    Perm.EXPORT_UNMASKED: {Role.COMMAND_POST},
    Perm.VIEW_AUDIT: {Role.COMMAND_POST, Role.SYSADMIN},
    Perm.MANAGE_INCIDENTS: {Role.COMMAND_POST},
    Perm.MANAGE_STAFF: {Role.COMMAND_POST, Role.SYSADMIN},
    Perm.MANAGE_ZONES: {Role.COMMAND_POST},
    Perm.ISSUE_DIRECTIVES: {Role.COMMAND_POST},
    Perm.VIEW_DELIVERIES: {Role.COMMAND_POST, Role.SYSADMIN},
    Perm.MANAGE_TESTING: {Role.COMMAND_POST},
    Perm.PLAN_TESTING: {Role.COMMAND_POST, Role.UNIT_LEADER},
    Perm.REMIND_RESIDENTS: {Role.COMMAND_POST, Role.UNIT_LEADER, Role.GRID_STAFF},
    Perm.VIEW_HELP_REQUESTS: {
        Role.COMMAND_POST, Role.HELPDESK, Role.SUPPORT_TEAM, Role.UNIT_LEADER, Role.GRID_STAFF,
    },
    Perm.TAKE_HELP_REQUESTS: {Role.COMMAND_POST, Role.HELPDESK},
    Perm.VIEW_CARE: {
        Role.COMMAND_POST, Role.UNIT_LEADER, Role.GRID_STAFF, Role.HELPDESK, Role.TRANSFER,
    },
    Perm.MANAGE_CARE: {Role.COMMAND_POST, Role.UNIT_LEADER, Role.GRID_STAFF},
    Perm.PLAN_GREEN_RUNS: {Role.COMMAND_POST, Role.TRANSFER, Role.UNIT_LEADER},
    Perm.MANAGE_HOSPITAL_SLOTS: {Role.COMMAND_POST, Role.TRANSFER},
    Perm.RECORD_SAMPLES: {Role.TEST_POINT, Role.COMMAND_POST},
    Perm.IMPORT_RESULTS: {Role.LAB_LIAISON, Role.COMMAND_POST},
    Perm.VIEW_COVERAGE: {Role.COMMAND_POST, Role.UNIT_LEADER, Role.GRID_STAFF, Role.TEST_POINT},
    Perm.MANAGE_SAMPLING: {Role.COMMAND_POST, Role.UNIT_LEADER},
    Perm.HANDOVER_SAMPLES: {Role.TEST_POINT, Role.LAB_LIAISON, Role.COMMAND_POST, Role.TRANSFER},
    Perm.VIEW_RECALLS: {
        Role.COMMAND_POST, Role.UNIT_LEADER, Role.GRID_STAFF, Role.INVESTIGATOR,
        Role.LAB_LIAISON, Role.TEST_POINT,
    },
    Perm.VIEW_GREEN_RUNS: {
        Role.COMMAND_POST, Role.UNIT_LEADER, Role.GRID_STAFF, Role.HELPDESK, Role.TRANSFER,
        Role.SUPPORT_TEAM,
    },
    Perm.VIEW_COMMAND: {Role.COMMAND_POST, Role.UNIT_LEADER},
    Perm.VIEW_REPORTS: {Role.COMMAND_POST},
    Perm.EDIT_REPORTS: {Role.COMMAND_POST},
    Perm.REVIEW_REPORTS: {Role.COMMAND_POST},
    Perm.ISSUE_REPORTS: {Role.COMMAND_POST},
    Perm.MANAGE_NOTICES: {Role.COMMAND_POST},
}  # fmt: skip


def has_perm(user: Any, perm: Perm | str) -> bool:
    if user is None or not getattr(user, "is_authenticated", False) or not user.is_active:
        return False
    if user.is_superuser:
        return True
    return getattr(user, "role", "") in GRANTS[Perm(perm)]


def perms_of(user: Any) -> set[str]:
    return {str(p) for p in Perm if has_perm(user, p)}
