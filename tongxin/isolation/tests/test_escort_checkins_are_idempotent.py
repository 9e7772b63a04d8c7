"""Over /api/v1/isolation/: the escort's phone may send the same check-ins twice (a lost
answer) and each is applied once; an escort sees only their own batch; the site signs for the
boarded; health checks are idempotent too."""

import uuid

import pytest
from django.test import Client

from tongxin.factories import UserFactory, household
from tongxin.isolation import factories as f
from tongxin.isolation.models import ContactAttempt, Outcome, Stay
from tongxin.isolation.services import batches as b

pytestmark = pytest.mark.django_db


@pytest.fixture
def batch(inc, chief, escort, site):
    entries = [
        f.listed(inc, f.resident(household("阳光小区", "1", str(i))), by=chief) for i in (1, 2)
    ]
    return b.create_batch(
        chief, inc, site, entries, vehicle_plate="浙H7", seats=5, planned_at=f.START,
        escort=escort,
    )  # fmt: skip


def _post(client, url, data):
    return client.post(url, data, content_type="application/json")


def test_the_same_checkins_twice_are_stored_once(client: Client, batch, escort):
    client.force_login(escort)
    m1, m2 = batch.members.order_by("stop", "pk")
    items = [
        {"client_id": str(uuid.uuid4()), "member": m1.pk, "outcome": "boarded"},
        {"client_id": str(uuid.uuid4()), "member": m2.pk, "kind": "contact",
         "method": "call", "result": "无人接听"},
        {"client_id": str(uuid.uuid4()), "member": m2.pk, "outcome": "unreachable",
         "reason": "电话无人接"},
    ]  # fmt: skip
    url = f"/api/v1/isolation/batches/{batch.pk}/checkins"
    first = _post(client, url, {"items": items})
    assert first.status_code == 200, first.content
    assert [r["status"] for r in first.json()["results"]] == ["stored"] * 3
    again = _post(client, url, {"items": items})
    assert [r["status"] for r in again.json()["results"]] == ["duplicate"] * 3
    assert ContactAttempt.objects.filter(member=m2).count() == 1
    counts = again.json()["counts"]
    assert (counts["boarded"], counts["unreachable"], counts["pending"]) == (1, 1, 0)

    shown = client.get(f"/api/v1/isolation/batches/{batch.pk}").json()
    assert shown["members"][1]["contacts"] == 1
    assert all("*" in m["document_masked"] for m in shown["members"])


def test_an_escort_sees_only_their_batch(client: Client, batch, inc, chief, site):
    other = UserFactory(role="transfer")
    client.force_login(other)
    assert client.get(f"/api/v1/isolation/batches/{batch.pk}").status_code == 404
    item = {"client_id": str(uuid.uuid4()), "member": batch.members.first().pk,
            "outcome": "boarded"}  # fmt: skip
    url = f"/api/v1/isolation/batches/{batch.pk}/checkins"
    assert _post(client, url, {"items": [item]}).status_code == 404


def test_the_site_signs_and_checks_health(client: Client, batch, escort, site_staff):
    m1, m2 = batch.members.order_by("stop", "pk")
    b.record_outcome(escort, m1, Outcome.BOARDED)
    client.force_login(escort)
    refused = _post(client, f"/api/v1/isolation/batches/{batch.pk}/receipt", {"members": [m1.pk]})
    assert refused.status_code == 403  # the escort cannot sign for the site

    client.force_login(site_staff)
    url = f"/api/v1/isolation/batches/{batch.pk}/receipt"
    assert _post(client, url, {"members": [m2.pk]}).status_code == 409  # not boarded
    done = _post(client, url, {"members": [m1.pk]})
    assert done.status_code == 200 and done.json()["received"] == [m1.pk]

    stay = Stay.objects.get(member=m1)
    key = str(uuid.uuid4())
    body = {"client_id": key, "stay": stay.pk, "temperature": 36.7, "symptoms": []}
    first = _post(client, "/api/v1/isolation/health-checks", body)
    assert first.status_code == 201 and first.json()["fever"] is False
    second = _post(client, "/api/v1/isolation/health-checks", body)
    assert second.status_code == 200 and second.json()["id"] == first.json()["id"]
