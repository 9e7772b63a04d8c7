"""Revealing one value returns it and records who revealed what; a user who may see the
resident but not reveal is refused with 403, and nothing is recorded."""

from typing import Any

from django.test import Client

from tongxin.accounts.models import Role
from tongxin.api.tests.conftest import INSIDE_ID, INSIDE_PHONE, County, token_client
from tongxin.audit.models import AuditAction, AuditEvent
from tongxin.factories import UserFactory


def reveal(client: Client, pk: int, field: str) -> Any:
    return client.post(
        f"/api/v1/residents/{pk}/reveal",
        {"field": field, "reason": "核实身份"},
        content_type="application/json",
    )


def test_a_reveal_returns_the_value_and_is_audited(county: County, unit_api: Client) -> None:
    doc = reveal(unit_api, county.inside.pk, "document_number")
    phone = reveal(unit_api, county.inside.pk, "phone")

    assert doc.status_code == phone.status_code == 200
    assert doc.json() == {"id": county.inside.pk, "field": "document_number", "value": INSIDE_ID}
    assert phone.json()["value"] == INSIDE_PHONE
    events = AuditEvent.objects.filter(action=AuditAction.REVEAL).order_by("id")
    assert [
        (e.actor, e.channel, e.target_type, e.target_id, e.detail["field"]) for e in events
    ] == [
        (county.unit_user, "api", "people.person", str(county.inside.pk), "document_number"),
        (county.unit_user, "api", "people.person", str(county.inside.pk), "phone"),
    ]
    for event in events:
        assert INSIDE_ID not in event.target_label and INSIDE_PHONE not in event.target_label


def test_viewing_a_resident_is_audited(county: County, unit_api: Client) -> None:
    unit_api.get(f"/api/v1/residents/{county.inside.pk}")

    assert (
        AuditEvent.objects.filter(
            action=AuditAction.VIEW, target_id=str(county.inside.pk), actor=county.unit_user
        ).count()
        == 1
    )


def test_reveal_without_the_permission_is_403_and_not_audited(county: County) -> None:
    # Test-point staff see residents (to register samples) but may not reveal.
    sampler = UserFactory(role=Role.TEST_POINT, unit=county.unit_user.unit)
    client = token_client(sampler)

    assert client.get(f"/api/v1/residents/{county.inside.pk}").status_code == 200
    response = reveal(client, county.inside.pk, "phone")

    assert response.status_code == 403
    assert INSIDE_PHONE not in response.content.decode()
    assert not AuditEvent.objects.filter(action=AuditAction.REVEAL).exists()


def test_only_the_two_personal_fields_can_be_revealed(county: County, unit_api: Client) -> None:
    response = reveal(unit_api, county.inside.pk, "document_bidx")

    assert response.status_code == 422
    assert not AuditEvent.objects.filter(action=AuditAction.REVEAL).exists()
