"""Finding 1: the superuser flag opens no personal data; the admin is no side door."""

from typing import Any

from django.apps import apps
from django.contrib import admin

from tongxin.accounts.jurisdiction import jurisdiction_of
from tongxin.accounts.models import Role
from tongxin.accounts.permissions import Perm, has_perm
from tongxin.core.fields import EncryptedTextField
from tongxin.factories import UserFactory
from tongxin.security.admin_lockdown import holds_personal_data
from tongxin.security.tests.conftest import RAW_VALUES, County, client_for

PERSONAL_PERMS = {
    Perm.VIEW_RESIDENTS, Perm.REVEAL_PERSONAL, Perm.EXPORT_RESIDENTS, Perm.EXPORT_UNMASKED,
    Perm.VIEW_HELP_REQUESTS, Perm.VIEW_CARE, Perm.RECORD_SAMPLES, Perm.VIEW_RECALLS,
}  # fmt: skip


def test_a_superuser_without_a_role_has_no_permission_and_no_area(db: Any) -> None:
    root = UserFactory(role="", unit=None, is_staff=True, is_superuser=True)
    assert not any(has_perm(root, p) for p in Perm)
    assert not jurisdiction_of(root).everywhere and jurisdiction_of(root).paths == ()


def test_a_superuser_sysadmin_has_only_the_sysadmin_role_permissions(db: Any) -> None:
    sysadmin = UserFactory(role=Role.SYSADMIN, is_staff=True, is_superuser=True)
    assert not any(has_perm(sysadmin, p) for p in PERSONAL_PERMS)
    assert has_perm(sysadmin, Perm.MANAGE_STAFF)


def test_a_superuser_sysadmin_cannot_list_reveal_or_export_residents(county: County) -> None:
    sysadmin = UserFactory(role=Role.SYSADMIN, is_staff=True, is_superuser=True)
    web = client_for(sysadmin)
    assert web.get("/residents/").status_code == 403
    assert web.get(f"/residents/{county.inside.pk}/").status_code == 403
    reveal = web.post(f"/residents/{county.inside.pk}/reveal/phone/", {"reason": "核实身份"})
    assert reveal.status_code == 403
    assert web.get("/exports/residents/?unmasked=1").status_code == 403
    api = web.get("/api/v1/residents/")
    assert api.status_code == 200 and api.json()["count"] == 0
    answer = web.post(
        f"/api/v1/residents/{county.inside.pk}/reveal",
        {"field": "phone", "reason": "核实身份"},
        content_type="application/json",
    )
    assert answer.status_code in (403, 404)
    for body in (api.content, reveal.content, answer.content):
        assert not any(v.encode() in body for v in RAW_VALUES)


def test_no_personal_data_model_is_in_the_admin(db: Any) -> None:
    registered = {m._meta.label_lower for m in admin.site._registry}
    for label in (
        "people.person", "helpdesk.helprequest", "care.careneed", "sampling.sampleevent",
        "sampling.doortask", "audit.auditevent",
    ):  # fmt: skip
        assert label not in registered
    # Whatever a later app registers: nothing with an encrypted field or a resident link.
    person = apps.get_model("people", "Person")
    from tongxin.security.admin_lockdown import KEPT

    assert len(KEPT) <= 3
    for model in admin.site._registry:
        fields = model._meta.get_fields()
        if model._meta.label_lower not in KEPT:
            assert not any(isinstance(f, EncryptedTextField) for f in fields), model
        forward = [f for f in fields if getattr(f, "concrete", False)]
        assert not any(getattr(f, "related_model", None) is person for f in forward), model
        assert not holds_personal_data(model)


def test_the_admin_answers_404_for_residents_and_shows_staff_phones_masked(county: County) -> None:
    root = UserFactory(role=Role.SYSADMIN, is_staff=True, is_superuser=True)
    web = client_for(root)
    assert web.get("/admin/").status_code == 200
    assert web.get("/admin/people/person/").status_code == 404
    assert web.get(f"/admin/people/person/{county.inside.pk}/change/").status_code == 404
    staff = county.users[Role.GRID_STAFF]
    staff.phone = "13911112222"
    staff.save()
    page = web.get(f"/admin/accounts/user/{staff.pk}/change/").content.decode()
    assert "13911112222" not in page and "139****2222" in page
