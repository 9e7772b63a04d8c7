"""A positive found in isolation (隔离点筛查): the room's floor is flagged for the
investigators, who are told; the case candidate is tracing's business."""

import datetime as dt

from django.db import transaction
from django.utils.translation import gettext as _

from tongxin.accounts.models import Role, User
from tongxin.isolation.models import FloorFlag, Stay, StayStatus

DETECTION_CHANNEL = "隔离点筛查"


def positive_in_isolation(person_id: int, found_at: dt.datetime) -> FloorFlag | None:
    stay = (
        Stay.objects.filter(test_person_id=person_id, status=StayStatus.IN_SITE)
        .select_related("site", "room", "incident", "entry")
        .first()
    )
    if stay is None or stay.room is None:
        return None
    flag = FloorFlag.objects.create(
        site=stay.site, floor=stay.room.floor, incident=stay.incident, stay=stay,
        reason=_("%(channel)s阳性（%(room)s）") % {
            "channel": DETECTION_CHANNEL, "room": stay.room.number,
        },
        flagged_at=found_at,
    )  # fmt: skip
    investigators = list(
        User.objects.filter(role__in=[Role.INVESTIGATOR, Role.COMMAND_POST], is_active=True)
    )
    context = {"site": stay.site.name, "floor": stay.room.floor, "room": stay.room.number}
    incident = stay.incident

    def send() -> None:
        from tongxin.notifications.services import notify, safe_reverse

        notify(
            "isolation_positive", users=investigators, context=context, incident=incident,
            link=safe_reverse("isolation:site", stay.site_id),
        )  # fmt: skip

    transaction.on_commit(send, robust=True)
    return flag
