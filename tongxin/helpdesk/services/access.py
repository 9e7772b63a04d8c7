"""Who may do what with help requests. Where they may see them is `HelpRequest.visible_to`."""

from typing import Any

from django.http import Http404

from tongxin.accounts.models import Role
from tongxin.accounts.permissions import Perm, has_perm
from tongxin.audit.services import record_view
from tongxin.helpdesk.models import HelpRequest, HelpRequestQuerySet, sees_all_requests


def active(user: Any) -> bool:
    return bool(user is not None and getattr(user, "is_authenticated", False) and user.is_active)


def is_duty_staff(user: Any) -> bool:
    """平台值守 and the command post: take calls, triage, dispatch, follow up, merge, import."""
    return sees_all_requests(user)


def is_command_post(user: Any) -> bool:
    return active(user) and bool(user.role == Role.COMMAND_POST)


def is_team_member(user: Any, request: HelpRequest) -> bool:
    return (
        active(user)
        and request.team_id is not None
        and getattr(user, "unit_id", None) == request.team_id
    )


def is_team_lead(user: Any, request: HelpRequest) -> bool:
    return is_team_member(user, request) and user.role == Role.UNIT_LEADER


def works_on(user: Any, request: HelpRequest) -> bool:
    """May log contacts and close: the team it was dispatched to, and the duty staff."""
    return is_team_member(user, request) or is_duty_staff(user)


def can_reveal_phone(user: Any, request: HelpRequest) -> bool:
    """The callback number is for the people who have to call back."""
    return works_on(user, request)


def may_see_help_desk(user: Any) -> bool:
    """Whether the help platform belongs in the user's navigation."""
    return has_perm(user, Perm.VIEW_HELP_REQUESTS)


def visible_requests(user: Any) -> HelpRequestQuerySet:
    return HelpRequest.objects.visible_to(user)


def get_request(user: Any, number: str) -> HelpRequest:
    """The request if the user may see it, else 404 (existence is not disclosed)."""
    found = (
        visible_requests(user)
        .select_related("place", "person", "team", "claimed_by", "incident", "merged_into")
        .filter(number=number)
        .first()
    )
    if found is None:
        raise Http404
    return found


def view_request(user: Any, number: str) -> HelpRequest:
    """Open a request's page or record: the caller's details and the linked resident are
    personal data, so every opening is audited (the request, and the resident when linked)."""
    found = get_request(user, number)
    record_view(found)
    if found.person is not None:
        record_view(found.person)
    return found
