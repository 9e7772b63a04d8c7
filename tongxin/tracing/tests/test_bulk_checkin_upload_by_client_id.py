from django.test import Client

from tongxin.accounts.models import ApiToken
from tongxin.tracing.factories import VenueFactory
from tongxin.tracing.models import CheckIn


def test_a_batch_sent_twice_is_stored_once(world):
    VenueFactory(code="QY0001")
    _, key = ApiToken.issue(world.users["investigator"], "scanner")
    client = Client(HTTP_AUTHORIZATION=f"Bearer {key}")
    body = {
        "client_id": "export-2022-03-09",
        "rows": [
            {
                "venue_code": "QY0001",
                "document_number": world.one("1801").document_number,
                "entered_at": "2022-03-09T10:00:00+08:00",
            },
            {"venue_code": "QY0001", "phone": "13900000000", "entered_at": "2022-03-09T10:00:00"},
            {"venue_code": "NOPE", "phone": "13900000000", "entered_at": "2022-03-09T10:00:00"},
        ],
    }
    first = client.post("/api/v1/tracing/checkins", body, content_type="application/json")
    assert first.status_code == 200, first.content
    assert first.json() == {
        "rows": 3, "stored": 2, "duplicate": 0, "unmatched": 1, "rejected": 1,
        "rejected_reasons": {"venue": 1},
    }  # fmt: skip
    again = client.post("/api/v1/tracing/checkins", body, content_type="application/json")
    assert again.json()["stored"] == 0
    assert CheckIn.objects.count() == 2


def test_grid_staff_cannot_upload(world):
    _, key = ApiToken.issue(world.users["grid"], "x")
    client = Client(HTTP_AUTHORIZATION=f"Bearer {key}")
    r = client.post(
        "/api/v1/tracing/checkins", {"client_id": "a", "rows": []}, content_type="application/json"
    )
    assert r.status_code == 403
