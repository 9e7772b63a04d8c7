"""Public notices (通告 第N号): drafted, then published as a page with their number and date.
Publishing numbers them in order within the incident and puts them on the timeline."""

from typing import Any

from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from tongxin.accounts.permissions import Perm, has_perm
from tongxin.command.models import Notice, NoticeStatus
from tongxin.command.services import timeline
from tongxin.command.services.reports import NotPermitted, ReportError
from tongxin.incidents.models import Incident


def draft(incident: Incident, user: Any, title: str, body: str, issuer: str = "") -> Notice:
    if not has_perm(user, Perm.MANAGE_NOTICES):
        raise NotPermitted(_("无权起草通告"))
    title, body = title.strip(), body.strip()
    if not title or not body:
        raise ReportError(_("请填写通告标题和正文"))
    return Notice.objects.create(
        incident=incident, title=title, body=body, issuer=issuer.strip(), created_by=user
    )


def publish(notice: Notice, user: Any, *, now: Any = None) -> Notice:
    if not has_perm(user, Perm.MANAGE_NOTICES):
        raise NotPermitted(_("无权发布通告"))
    with transaction.atomic():
        Incident.objects.select_for_update().filter(pk=notice.incident_id).first()
        fresh = Notice.objects.select_for_update().get(pk=notice.pk)
        if fresh.status == NoticeStatus.PUBLISHED:
            return fresh
        last = Notice.objects.filter(incident_id=fresh.incident_id).aggregate(n=Max("number"))["n"]
        fresh.number = (last or 0) + 1
        fresh.status = NoticeStatus.PUBLISHED
        fresh.published_at = now or timezone.now()
        fresh.save()
        timeline.save_entries(timeline.notice_entries(fresh))
    return fresh


def published() -> Any:
    return Notice.objects.filter(status=NoticeStatus.PUBLISHED).select_related("incident")
