"""Text messages to the person who asked: the request number at once, and word when it is
done. They go through the notification service (`notify(..., phones=[...])`), so they are
sent in the background after the intake commits, retried with backoff by
`tongxin notifications retry`, listed on the delivery page and reported when they fail —
and the number is stored encrypted there like everywhere else. Landlines get no text."""

from django.utils.translation import gettext as _

from tongxin.helpdesk import conf
from tongxin.helpdesk.models import EventKind, HelpRequest
from tongxin.helpdesk.services.events import log_event
from tongxin.notifications.services import notify, safe_reverse


def _text(request: HelpRequest, kind: str, at: object, note: str) -> bool:
    if not request.phone_is_mobile or not request.phone:
        return False
    notify(
        kind,
        phones=[request.phone],
        context={"request": request, "hotline": conf.hotline()},
        link=safe_reverse("help_public:status"),
        incident=request.incident,
    )
    log_event(request, EventKind.SMS, at=at, note=note)  # type: ignore[arg-type]
    return True


def send_received(request: HelpRequest, at: object) -> bool:
    """The request number, by SMS, as soon as the request is taken in."""
    return _text(request, "request_received", at, _("已发送受理短信（含工单号）"))


def send_closed(request: HelpRequest, at: object) -> bool:
    return _text(request, "request_closed", at, _("已发送办结短信"))
