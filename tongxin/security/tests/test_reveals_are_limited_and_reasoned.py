"""Finding 7: reveals need a reason (kept in the audit trail), are limited per hour, and the
command post hears of unusual volumes."""

from typing import Any

from django.test import Client

from tongxin.accounts.models import Role
from tongxin.audit.models import AuditAction, AuditEvent
from tongxin.notifications.models import Message
from tongxin.security.tests.conftest import County, client_for

HTMX = {"HX-Request": "true", "HX-Target": "reveal-phone"}


def reveal(client: Client, pk: int, reason: str = "电话通知复检") -> Any:
    return client.post(f"/residents/{pk}/reveal/phone/", {"reason": reason}, headers=HTMX)


def test_a_reveal_without_a_reason_is_refused_and_not_recorded(county: County) -> None:
    grid = client_for(county.users[Role.GRID_STAFF])
    response = reveal(grid, county.inside.pk, reason=" ")
    assert response.status_code == 400
    assert county.inside.phone not in response.content.decode()
    assert "查看事由" in response.content.decode()
    assert not AuditEvent.objects.filter(action=AuditAction.REVEAL).exists()
    api = grid.post(
        f"/api/v1/residents/{county.inside.pk}/reveal",
        {"field": "phone"},
        content_type="application/json",
    )
    assert api.status_code == 422


def test_the_reason_is_stored_in_the_audit_event(county: County) -> None:
    grid = client_for(county.users[Role.GRID_STAFF])
    assert reveal(grid, county.inside.pk, "上门采样前电话确认").status_code == 200
    event = AuditEvent.objects.get(action=AuditAction.REVEAL)
    assert event.detail["reason"] == "上门采样前电话确认"


def test_reveals_stop_at_the_hourly_limit_and_the_command_post_hears(
    county: County, settings: Any
) -> None:
    settings.TONGXIN_REVEALS_PER_HOUR = 5
    settings.TONGXIN_REVEAL_ALERT_THRESHOLD = 3
    grid = client_for(county.users[Role.GRID_STAFF])
    statuses = [reveal(grid, county.inside.pk).status_code for _ in range(8)]
    assert statuses == [200] * 5 + [403] * 3
    refused = reveal(grid, county.inside.pk)
    assert county.inside.phone not in refused.content.decode()
    assert "上限" in refused.content.decode()
    assert AuditEvent.objects.filter(action=AuditAction.REVEAL).count() == 5
    chief = county.users[Role.COMMAND_POST]
    alerts = Message.objects.filter(user=chief, notification__kind="reveal_volume")
    # Once at the alert threshold, once at the limit.
    assert alerts.count() == 2
    assert county.users[Role.GRID_STAFF].full_name in alerts.first().notification.title
    # The API counts against the same limit.
    api = grid.post(
        f"/api/v1/residents/{county.inside.pk}/reveal",
        {"field": "phone", "reason": "核实"},
        content_type="application/json",
    )
    assert api.status_code == 403


def test_an_unmasked_export_needs_a_reason_kept_in_the_audit_event(county: County) -> None:
    chief = client_for(county.users[Role.COMMAND_POST])
    refused = chief.post("/exports/residents/", {"fmt": "csv", "unmask": "on"})
    assert refused.status_code == 200 and "须填写事由" in refused.content.decode()
    api_refused = chief.get("/api/v1/exports/residents", {"unmask": "true"})
    assert api_refused.status_code == 422
    assert not AuditEvent.objects.filter(action=AuditAction.EXPORT).exists()
    done = chief.post("/exports/residents/", {"fmt": "csv", "unmask": "on", "reason": "移交流调组"})
    assert county.inside.document_number in b"".join(done.streaming_content).decode("utf-8-sig")
    event = AuditEvent.objects.get(action=AuditAction.EXPORT)
    assert event.detail["unmasked"] is True and event.detail["reason"] == "移交流调组"
