"""The directives panel on a unit's home page: its open directives, the nearest deadline first."""

from typing import Any

from django.utils import timezone

from tongxin.accounts.home import register_home_panel
from tongxin.accounts.models import Role
from tongxin.directives import services


def unit_panel(user: Any) -> dict[str, Any] | None:
    if not user.unit_id:
        return None
    targets = services.visible_targets(user).filter(
        pk__in=services.open_targets_for_unit(user.unit_id).values("pk")
    )
    rows = list(
        targets.select_related("directive", "unit").order_by("directive__deadline", "pk")[:5]
    )
    return {"targets": rows, "total": targets.count(), "now": timezone.now()}


def register() -> None:
    register_home_panel(
        "directives_unit", roles={Role.UNIT_LEADER, Role.GRID_STAFF}, order=20,
        template="directives/home/unit.html", provider=unit_panel,
    )  # fmt: skip
