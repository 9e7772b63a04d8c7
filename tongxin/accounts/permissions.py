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
    VIEW_CASES = "view_cases"
    MANAGE_TRACING = "manage_tracing"
    VIEW_CONTACTS = "view_contacts"
    PLAN_TRANSFERS = "plan_transfers"
    WORK_ISOLATION = "work_isolation"
    KEEP_HOME_WATCH = "keep_home_watch"
    VIEW_WORKFORCE = "view_workforce"
    MANAGE_WORKFORCE = "manage_workforce"
    VIEW_SUPPLIES = "view_supplies"
    MANAGE_SUPPLIES = "manage_supplies"
    DELIVER_SUPPLIES = "deliver_supplies"
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
    # 流调: who the case is, only for investigators and the command post; units, grid staff and
    # transfer staff see their contacts (level, dates, tasks) without the case.
    Perm.VIEW_CASES: {Role.COMMAND_POST, Role.INVESTIGATOR},
    Perm.MANAGE_TRACING: {Role.INVESTIGATOR, Role.COMMAND_POST},
    Perm.VIEW_CONTACTS: {
        Role.COMMAND_POST, Role.INVESTIGATOR, Role.UNIT_LEADER, Role.GRID_STAFF, Role.TRANSFER,
    },
    Perm.PLAN_TRANSFERS: {Role.COMMAND_POST},
    Perm.WORK_ISOLATION: {Role.COMMAND_POST, Role.TRANSFER},
    Perm.KEEP_HOME_WATCH: {Role.COMMAND_POST, Role.UNIT_LEADER, Role.GRID_STAFF},
    Perm.VIEW_WORKFORCE: {
        Role.COMMAND_POST, Role.UNIT_LEADER, Role.TEST_POINT, Role.TRANSFER, Role.SUPPORT_TEAM,
    },
    Perm.MANAGE_WORKFORCE: {Role.COMMAND_POST, Role.UNIT_LEADER},
    Perm.VIEW_SUPPLIES: {Role.COMMAND_POST, Role.UNIT_LEADER, Role.GRID_STAFF, Role.SUPPORT_TEAM},
    Perm.MANAGE_SUPPLIES: {Role.COMMAND_POST, Role.SUPPORT_TEAM},
    Perm.DELIVER_SUPPLIES: {
        Role.COMMAND_POST, Role.UNIT_LEADER, Role.GRID_STAFF, Role.SUPPORT_TEAM,
    },
    Perm.VIEW_COMMAND: {Role.COMMAND_POST, Role.UNIT_LEADER},
    Perm.VIEW_REPORTS: {Role.COMMAND_POST},
    Perm.EDIT_REPORTS: {Role.COMMAND_POST},
    Perm.REVIEW_REPORTS: {Role.COMMAND_POST},
    Perm.ISSUE_REPORTS: {Role.COMMAND_POST},
    Perm.MANAGE_NOTICES: {Role.COMMAND_POST},
}  # fmt: skip


def has_perm(user: Any, perm: Perm | str) -> bool:
    """Whether the user's role grants the permission.

    Django's superuser flag grants nothing here: it only opens Django's admin, which holds no
    personal data (tongxin.security.admin_lockdown). A system administrator manages accounts,
    units and settings and never reads residents."""
    if user is None or not getattr(user, "is_authenticated", False) or not user.is_active:
        return False
    return getattr(user, "role", "") in GRANTS[Perm(perm)]


def perms_of(user: Any) -> set[str]:
    return {str(p) for p in Perm if has_perm(user, p)}
