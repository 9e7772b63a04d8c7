"""The green channel's panel on the home page: today's and tomorrow's runs the user plans or
drives (transfer staff, and any driver or escort on a run)."""

import datetime as dt
from typing import Any

from django.utils import timezone

from tongxin.accounts.home import register_home_panel
from tongxin.accounts.models import Role
from tongxin.care.services import runs as rs


def runs_panel(user: Any) -> dict[str, Any]:
    today = timezone.localdate()
    runs = list(
        rs.visible_runs(user)
        .filter(date__in=[today, today + dt.timedelta(days=1)])
        .select_related("township", "hospital", "driver", "escort")
        .order_by("date", "departs_at", "township__path")[:10]
    )
    return {"runs": runs, "today": today}


def register() -> None:
    register_home_panel(
        "care_runs", roles={Role.TRANSFER}, order=20,
        template="care/home/runs.html", provider=runs_panel,
    )  # fmt: skip
