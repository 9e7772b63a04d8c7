"""The help platform's panels on the home page: the duty staff's queue, a team's requests."""

from typing import Any

from django.utils import timezone

from tongxin.accounts.home import register_home_panel
from tongxin.accounts.models import Role
from tongxin.helpdesk.models import Status, overdue_q
from tongxin.helpdesk.services import boards
from tongxin.helpdesk.services.access import visible_requests

SHOWN = 5


def queue_panel(user: Any) -> dict[str, Any]:
    """The duty staff: how much is waiting, and the next requests to act on."""
    now = timezone.now()
    open_qs = visible_requests(user).open()
    rows = boards.queue_rows(user, now=now)
    return {
        "open": open_qs.count(),
        "unassigned": open_qs.filter(status=Status.RECEIVED).count(),
        "overdue": open_qs.filter(overdue_q(now)).count(),
        "emergencies": open_qs.filter(is_emergency=True).count(),
        "follow_ups": boards.awaiting_follow_up_count(user),
        "rows": boards.page_of(rows, 1, now=now, per_page=SHOWN).object_list,
    }


def team_panel(user: Any) -> dict[str, Any] | None:
    """A support team member: what was dispatched to the team, mine and unclaimed first."""
    if not user.unit_id:
        return None
    board = boards.team_board(user, user.unit_id)
    return {
        "board": board,
        "rows": (board.mine + board.unclaimed + board.others)[:SHOWN],
    }


def register() -> None:
    register_home_panel(
        "helpdesk_queue", roles={Role.HELPDESK}, order=10,
        template="helpdesk/home/queue.html", provider=queue_panel,
    )  # fmt: skip
    register_home_panel(
        "helpdesk_team", roles={Role.SUPPORT_TEAM}, order=10,
        template="helpdesk/home/team.html", provider=team_panel,
    )  # fmt: skip
