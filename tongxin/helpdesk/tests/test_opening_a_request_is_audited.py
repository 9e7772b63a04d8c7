"""Opening a request shows the caller's details and the linked resident: every opening is
recorded, on the page and through the API."""

import pytest
from django.test import Client
from django.urls import reverse

from tongxin.audit.models import AuditAction, AuditEvent

from .conftest import PHONE, T0, Town, ask

pytestmark = pytest.mark.django_db


def _viewed(target_type: str, pk: int) -> int:
    return AuditEvent.objects.filter(
        action=AuditAction.VIEW, target_type=target_type, target_id=str(pk)
    ).count()


def test_the_request_page_records_the_request_and_the_resident(town: Town, desk) -> None:
    request = ask("需要配降压药", PHONE, at=T0)
    assert request.person == town.resident
    client = Client()
    client.force_login(desk)

    page = client.get(reverse("helpdesk:detail", args=[request.number]))
    api = client.get(f"/api/v1/helpdesk/requests/{request.number}")

    assert page.status_code == 200 and api.status_code == 200
    assert _viewed("helpdesk.helprequest", request.pk) == 2
    assert _viewed("people.person", town.resident.pk) == 2
