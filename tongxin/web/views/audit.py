import datetime as dt
from typing import Any

from django.apps import apps
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from tongxin.accounts.permissions import Perm
from tongxin.audit.models import AuditEvent
from tongxin.web.decorators import page
from tongxin.web.forms import AuditFilterForm

PAGE_SIZE = 50


def target_type_label(target_type: str) -> str:
    """people.person → 居民: the model's own (translated) name where there is one."""
    try:
        return str(apps.get_model(target_type)._meta.verbose_name)
    except (LookupError, ValueError):
        return target_type


def _day_start(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time.min))


@page(Perm.VIEW_AUDIT)
def audit_list(request: HttpRequest) -> HttpResponse:
    events = AuditEvent.objects.visible_to(request.user)
    types = sorted(
        events.order_by().values_list("target_type", flat=True).distinct(),
    )
    form = AuditFilterForm(
        request.GET or None, target_types=[(t, target_type_label(t)) for t in types]
    )
    if form.is_valid():
        data: dict[str, Any] = form.cleaned_data
        if data["actor"]:
            events = events.filter(actor_label__icontains=data["actor"])
        if data["action"]:
            events = events.filter(action=data["action"])
        if data["target_type"]:
            events = events.filter(target_type=data["target_type"])
        if data["date_from"]:
            events = events.filter(at__gte=_day_start(data["date_from"]))
        if data["date_to"]:
            events = events.filter(at__lt=_day_start(data["date_to"] + dt.timedelta(days=1)))
    page_obj = Paginator(events.select_related("actor"), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    for event in page_obj:
        event.target_type_label = target_type_label(event.target_type)  # type: ignore[attr-defined]
    return render(request, "web/audit/list.html", {"form": form, "page_obj": page_obj})
