from typing import Any

from django.contrib import messages as flash
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from tongxin.accounts.models import Role
from tongxin.notifications import kinds, services
from tongxin.notifications.kinds import Channel
from tongxin.notifications.models import DeliveryStatus
from tongxin.web.decorators import is_fragment_request, page


def _safe_link(request: HttpRequest, link: str) -> str:
    ok = url_has_allowed_host_and_scheme(link, allowed_hosts={request.get_host()})
    return link if link and ok else ""


@page()
def inbox(request: HttpRequest) -> HttpResponse:
    user: Any = request.user
    only_unread = request.GET.get("unread") == "1"
    qs = services.inbox(user)
    if only_unread:
        qs = qs.unread()
    page_obj = Paginator(qs, 30).get_page(request.GET.get("page"))
    return render(
        request,
        "notifications/inbox.html",
        {"page_obj": page_obj, "only_unread": only_unread, "unread": services.unread_count(user)},
    )


@page()
def message_detail(request: HttpRequest, pk: int) -> HttpResponse:
    message = services.mark_read(request.user, pk)  # type: ignore[arg-type]
    link = _safe_link(request, message.notification.link)
    return render(request, "notifications/message.html", {"message": message, "link": link})


@page()
@require_POST
def mark_read(request: HttpRequest, pk: int) -> HttpResponse:
    message = services.mark_read(request.user, pk)  # type: ignore[arg-type]
    if is_fragment_request(request):
        response = render(request, "notifications/_message_row.html", {"message": message})
        response["HX-Trigger"] = "tx-inbox-changed"
        return response
    return redirect("notifications:inbox")


@page()
@require_POST
def mark_all_read(request: HttpRequest) -> HttpResponse:
    count = services.mark_all_read(request.user)  # type: ignore[arg-type]
    flash.success(request, _("已将 %(n)d 条消息标为已读") % {"n": count})
    return redirect("notifications:inbox")


@never_cache
def badge(request: HttpRequest) -> HttpResponse:
    # Polled by htmx: a signed-out poller gets "nothing to swap", not the login page in its badge.
    if not request.user.is_authenticated:
        return HttpResponse(status=204)
    return render(
        request, "notifications/_badge.html", {"unread": services.unread_count(request.user)}
    )


@page()
def deliveries(request: HttpRequest) -> HttpResponse:
    if not services.can_watch_deliveries(request.user):
        raise PermissionDenied
    status = request.GET.get("status", "problems")
    qs = services.visible_deliveries(request.user).prefetch_related("attempt_log")
    if status == "problems":
        qs = qs.filter(status=DeliveryStatus.FAILED) | qs.filter(
            status=DeliveryStatus.PENDING, attempts__gt=0
        )
    elif status in DeliveryStatus.values:
        qs = qs.filter(status=status)
    page_obj = Paginator(qs.order_by("-created_at", "-id"), 50).get_page(request.GET.get("page"))
    return render(
        request,
        "notifications/deliveries.html",
        {"page_obj": page_obj, "status": status, "statuses": DeliveryStatus.choices},
    )


@page()
@require_POST
def resend(request: HttpRequest, pk: int) -> HttpResponse:
    if not services.can_watch_deliveries(request.user):
        raise PermissionDenied
    delivery = services.visible_deliveries(request.user).filter(pk=pk).first()
    if delivery is None:
        raise Http404
    services.resend(delivery)
    flash.success(request, _("已重新排队发送"))
    return redirect("notifications:deliveries")


def _unit_editable(user: Any) -> Any:
    """The unit whose robots and staff defaults this user may set: a leader's own unit."""
    return user.unit if user.unit_id and user.role == Role.UNIT_LEADER else None


@page()
def preferences(request: HttpRequest) -> HttpResponse:
    user: Any = request.user
    unit = _unit_editable(user)
    kind_list = kinds.all_kinds()
    if request.method == "POST":
        for kind in kind_list:
            services.set_preference(
                user=user, kind=kind.code, channel=Channel.SMS,
                enabled=f"sms:{kind.code}" in request.POST,
            )  # fmt: skip
            if unit is not None:
                for channel in (Channel.SMS, Channel.ROBOT):
                    services.set_preference(
                        unit=unit, kind=kind.code, channel=channel,
                        enabled=f"unit_{channel}:{kind.code}" in request.POST,
                    )  # fmt: skip
        flash.success(request, _("通知设置已保存"))
        return redirect("notifications:preferences")
    rows = services.preference_rows(user, unit)
    robots = list(unit.group_robots.filter(is_active=True)) if unit is not None else []
    return render(
        request,
        "notifications/preferences.html",
        {"rows": rows, "unit": unit, "robots": robots, "has_phone": bool(user.phone)},
    )
