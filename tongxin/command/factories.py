"""Small worlds for the command app's tests: a county with two townships, help requests at
given moments, zones, a test round with sampled people."""

import datetime as dt

from django.test import TestCase

from tongxin.helpdesk.models import HelpRequest, Status
from tongxin.helpdesk.services.intake import Intake, receive
from tongxin.incidents.models import Incident
from tongxin.places.models import Place


def help_request(
    incident: Incident,
    at: dt.datetime,
    place: Place | None = None,
    *,
    closed_at: dt.datetime | None = None,
    phone: str = "13912345678",
    caller_name: str = "",
    text: str = "家里没菜了，需要买菜",
) -> HelpRequest:
    """A request received at `at` (and closed at `closed_at`), as the help desk records it."""
    with TestCase.captureOnCommitCallbacks(execute=True):
        request = receive(
            Intake(
                text=text,
                phone=phone,
                caller_name=caller_name,
                place=place,
                received_at=at,
                incident=incident,
                external_ref=f"t-{at.timestamp()}-{place.pk if place else 0}-{phone}",
            ),
            now=at,
            send_sms=False,
        ).request
    if closed_at is not None:
        HelpRequest.objects.filter(pk=request.pk).update(
            status=Status.CLOSED, first_contact_at=closed_at, closed_at=closed_at
        )
        request.refresh_from_db()
    return request


def local(day: int, hour: int = 12, minute: int = 0) -> dt.datetime:
    """March 2022 in the county's time (UTC+8)."""
    return dt.datetime(2022, 3, day, hour, minute, tzinfo=dt.timezone(dt.timedelta(hours=8)))
