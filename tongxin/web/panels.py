"""Home-page panels for the sampling roles (the point, the lab, the investigators).

They live here, in the pages layer, because they only read what sampling and testing already
show on their own pages; registering them from sampling's own AppConfig works the same way.
"""

from typing import Any

from django.db.models import Count

from tongxin.accounts.home import register_home_panel
from tongxin.accounts.models import Role
from tongxin.sampling.models import Box, BoxStatus, Recall, RecallStatus
from tongxin.testing.models import RoundPoint, RoundStatus, TestPoint, TestRound

LIVE = (RoundStatus.ACTIVE, RoundStatus.PLANNED)


def _live_rounds(user: Any) -> list[TestRound]:
    return list(
        TestRound.objects.visible_to(user)
        .filter(status__in=LIVE)
        .select_related("incident")
        .order_by("-status", "-starts_at")[:3]
    )


def point_panel(user: Any) -> dict[str, Any]:
    """The sampler: the live rounds and, in each, the points they record at."""
    rounds = []
    for test_round in _live_rounds(user):
        points = list(
            RoundPoint.objects.filter(
                round=test_round, point__in=TestPoint.objects.visible_to(user)
            )
            .select_related("point")
            .order_by("point__name")
        )
        rounds.append({"round": test_round, "points": points})
    return {"rounds": rounds}


def lab_panel(user: Any) -> dict[str, Any]:
    """The lab: boxes on their way (sealed or in transit) to receive, and open recalls."""
    pending = (
        Box.objects.visible_to(user)
        .filter(status__in=[BoxStatus.SEALED, BoxStatus.IN_TRANSIT])
        .select_related("round", "point")
        .order_by("sealed_at", "pk")
    )
    return {
        "boxes": list(pending[:8]),
        "pending": pending.count(),
        "recalls": Recall.objects.visible_to(user).filter(status=RecallStatus.OPEN).count(),
    }


def investigator_panel(user: Any) -> dict[str, Any]:
    """Investigators: the positive tubes whose people are being recalled — where cases start
    today, until the tracing module adds its own panel."""
    recalls = (
        Recall.objects.visible_to(user)
        .filter(status=RecallStatus.OPEN)
        .select_related("tube", "round")
        .annotate(people=Count("members"))
        .order_by("-raised_at")
    )
    return {"recalls": list(recalls[:8]), "open": recalls.count()}


def register() -> None:
    register_home_panel(
        "sampling_point", roles={Role.TEST_POINT}, order=10,
        template="web/home/point.html", provider=point_panel,
    )  # fmt: skip
    register_home_panel(
        "sampling_lab", roles={Role.LAB_LIAISON}, order=10,
        template="web/home/lab.html", provider=lab_panel,
    )  # fmt: skip
    register_home_panel(
        "sampling_recalls", roles={Role.INVESTIGATOR}, order=10,
        template="web/home/recalls.html", provider=investigator_panel,
    )  # fmt: skip
