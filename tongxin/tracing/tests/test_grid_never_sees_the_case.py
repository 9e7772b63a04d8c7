"""Grid staff see their contacts (level, dates, tasks) and never who the case is."""

import json

from django.test import Client

from tongxin.accounts.models import ApiToken
from tongxin.tracing.models import Management
from tongxin.tracing.services import confirm_contacts
from tongxin.tracing.services.derive import derive_for_case

from .conftest import make_case


def api(user):
    _, key = ApiToken.issue(user, "tests")
    return Client(HTTP_AUTHORIZATION=f"Bearer {key}")


def _confirmed(world):
    patient = world.one("1801")
    case = make_case(world, patient)
    confirm_contacts(derive_for_case(case), world.users["investigator"])
    return case, patient


def test_grid_lists_contacts_in_its_area_without_the_case(world):
    case, patient = _confirmed(world)
    grid = api(world.users["grid"])
    r = grid.get("/api/v1/tracing/contacts/")
    assert r.status_code == 200
    body = r.content.decode()
    data = json.loads(body)
    assert {c["level"] for c in data["contacts"]} == {"close", "secondary"}
    assert len(data["contacts"]) == 5
    # Neither the case's number, name or ID, nor any source field.
    for text in ("病例", patient.name, patient.document_masked, patient.document_number):
        assert text not in body
    assert all("source" not in c for c in data["contacts"])
    # The case itself and the links are closed to the grid.
    assert grid.get("/api/v1/tracing/cases/").status_code == 403
    assert grid.get(f"/api/v1/tracing/cases/{case.pk}").status_code == 404


def test_another_grid_sees_none_of_them(world):
    _confirmed(world)
    other = api(world.users["grid_b"])
    data = other.get("/api/v1/tracing/contacts/").json()
    assert data["contacts"] == []
    m = Management.objects.filter(person=world.one("1801", 1)).get()
    assert other.get(f"/api/v1/tracing/contacts/{m.pk}").status_code == 404
    assert api(world.users["grid"]).get(f"/api/v1/tracing/contacts/{m.pk}").status_code == 200


def test_candidates_are_not_on_the_grid_list(world):
    derive_for_case(make_case(world, world.one("1801")))
    assert api(world.users["grid"]).get("/api/v1/tracing/contacts/").json()["contacts"] == []


def test_investigator_sees_the_case_masked(world):
    case, patient = _confirmed(world)
    r = api(world.users["investigator"]).get(f"/api/v1/tracing/cases/{case.pk}")
    assert r.status_code == 200
    data = r.json()
    assert data["label"] == "病例1"
    assert data["person"]["document"] == patient.document_masked
    assert patient.document_number not in r.content.decode()


def test_sysadmin_opens_no_case(world):
    case, _ = _confirmed(world)
    admin = api(world.users["sysadmin"])
    assert admin.get("/api/v1/tracing/cases/").status_code == 403
    assert admin.get(f"/api/v1/tracing/cases/{case.pk}").status_code == 404
