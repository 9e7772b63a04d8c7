"""Revealing an ID number or phone: only for permitted roles, only in the fragment, audited."""

import pytest
from django.urls import reverse

from tongxin.audit.models import AuditAction, AuditEvent

HTMX = {"HX-Request": "true", "HX-Target": "reveal-document_number"}


@pytest.mark.parametrize("field", ["document_number", "phone"])
def test_reveal_returns_value_no_store_and_is_audited(login, world, field):
    zhang = world.people["zhang"]
    response = login("grid").post(
        reverse("resident_reveal", args=[zhang.pk, field]), {"reason": "核实身份"}, headers=HTMX
    )
    assert response.status_code == 200
    value = getattr(zhang, field)
    assert value in response.content.decode()
    assert b"<html" not in response.content
    assert "no-store" in response["Cache-Control"]
    event = AuditEvent.objects.get(action=AuditAction.REVEAL)
    assert event.actor == world.users["grid"]
    assert event.target_type == "people.person" and event.target_id == str(zhang.pk)
    assert event.detail == {"field": field, "reason": "核实身份"}
    assert value not in str(event.changes) + str(event.detail) + event.target_label


def test_detail_page_offers_reveal_buttons_only_with_permission(login, world):
    zhang = world.people["zhang"]
    url = reverse("resident", args=[zhang.pk])
    with_perm = login("grid").get(url).content.decode()
    assert reverse("resident_reveal", args=[zhang.pk, "document_number"]) in with_perm
    assert reverse("resident_reveal", args=[zhang.pk, "phone"]) in with_perm
    # Test-point staff may see residents of their unit's estates but never in clear.
    test_point = world.users["test_point"]
    test_point.unit = world.users["grid"].unit
    test_point.save()
    without = login("test_point").get(url).content.decode()
    assert "resident_reveal" not in without and "/reveal/" not in without
    assert zhang.document_masked in without


def test_reveal_refused_without_permission_and_not_audited(login, world):
    zhang = world.people["zhang"]
    test_point = world.users["test_point"]
    test_point.unit = world.users["grid"].unit
    test_point.save()
    client = login("test_point")
    url = reverse("resident_reveal", args=[zhang.pk, "document_number"])
    for headers in (HTMX, {}):
        response = client.post(url, headers=headers)
        assert response.status_code == 403
        assert zhang.document_number not in response.content.decode()
    assert not AuditEvent.objects.filter(action=AuditAction.REVEAL).exists()


def test_reveal_needs_post(login, world):
    zhang = world.people["zhang"]
    response = login("grid").get(reverse("resident_reveal", args=[zhang.pk, "phone"]))
    assert response.status_code == 405
    assert not AuditEvent.objects.filter(action=AuditAction.REVEAL).exists()


def test_unknown_field_is_404(login, world):
    zhang = world.people["zhang"]
    response = login("grid").post(reverse("resident_reveal", args=[zhang.pk, "name_pinyin"]))
    assert response.status_code == 404


def test_viewing_the_detail_page_is_audited(login, world):
    zhang = world.people["zhang"]
    login("grid").get(reverse("resident", args=[zhang.pk]))
    assert (
        AuditEvent.objects.filter(
            action=AuditAction.VIEW, target_type="people.person", target_id=str(zhang.pk)
        ).count()
        == 1
    )


def test_reveal_without_javascript_shows_a_page(login, world):
    zhang = world.people["zhang"]
    response = login("grid").post(
        reverse("resident_reveal", args=[zhang.pk, "phone"]), {"reason": "电话联系"}
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert "<html" in html and zhang.phone in html
    assert "no-store" in response["Cache-Control"]
