"""A device that resends a batch (its answer was lost) stores every sample once."""

from tongxin.sampling.models import SampleEvent, Tube, TubeStatus

from .conftest import event, local


def test_a_batch_sent_twice_is_stored_once(world, upload):
    people = world.all_people()[:5]
    batch = [event(p, "T100", at=local(6, 8, i)) for i, p in enumerate(people)]

    first = upload(batch)
    assert (first.stored, first.duplicate, first.refused) == (5, 0, 0)
    assert [r["status"] for r in first.results] == ["stored"] * 5

    again = upload(batch)
    assert (again.stored, again.duplicate, again.refused) == (0, 5, 0)
    assert [r["status"] for r in again.results] == ["duplicate"] * 5

    assert SampleEvent.objects.count() == 5
    tube = Tube.objects.get(barcode="T100")
    assert (tube.sample_count, tube.capacity, tube.status) == (5, 10, TubeStatus.OPEN)


def test_a_repeated_event_inside_one_batch_is_a_duplicate(world, upload):
    person = world.all_people()[0]
    one = event(person, "T101")
    result = upload([one, dict(one)])
    assert [r["status"] for r in result.results] == ["stored", "duplicate"]
    assert SampleEvent.objects.count() == 1


def test_a_partly_new_batch_stores_only_the_new_events(world, upload):
    people = world.all_people()
    batch = [event(p, "T102", at=local(6, 9, i)) for i, p in enumerate(people[:3])]
    upload(batch[:2])
    result = upload(batch)
    assert [r["status"] for r in result.results] == ["duplicate", "duplicate", "stored"]
    assert Tube.objects.get(barcode="T102").sample_count == 3


def test_through_the_api_with_a_device_token(world):
    from django.test import Client

    from tongxin.accounts.models import ApiToken
    from tongxin.audit.models import AuditEvent

    _token, key = ApiToken.issue(world.users["sampler"], "采样终端 1")
    device = Client(HTTP_AUTHORIZATION=f"Bearer {key}")
    people = world.all_people()[:4]
    body = {
        "round": world.round.pk,
        "point": world.point.pk,
        "tube_mode": "pool_10",
        "events": [event(p, "API-1", at=local(6, 8, i)) for i, p in enumerate(people)]
        + [event(None, "API-1", document_number="330824199001011234")],
    }
    first = device.post("/api/v1/sampling/events", body, content_type="application/json")
    assert first.status_code == 200
    data = first.json()
    assert [r["status"] for r in data["results"]] == ["stored"] * 4 + ["refused"]
    assert data["results"][-1]["reason"] == "bad_document"
    assert data["tubes"]["API-1"]["count"] == 4
    # Masked only: the whole number never comes back.
    assert all(p.document_number not in first.content.decode() for p in people)

    again = device.post("/api/v1/sampling/events", body, content_type="application/json")
    assert [r["status"] for r in again.json()["results"]] == ["duplicate"] * 4 + ["refused"]
    assert SampleEvent.objects.count() == 4
    # One audit row per stored batch, not one per sample.
    assert AuditEvent.objects.filter(target_type="sampling.sampleevent").count() == 1


def test_the_api_refuses_bad_batches_and_other_roles(world):
    from django.test import Client

    from tongxin.accounts.models import ApiToken

    _token, key = ApiToken.issue(world.users["sampler"], "采样终端 2")
    device = Client(HTTP_AUTHORIZATION=f"Bearer {key}")
    url = "/api/v1/sampling/events"
    assert device.post(url, "not json", content_type="application/json").status_code == 400
    too_many = {"events": [{"id": str(i)} for i in range(1001)]}
    assert device.post(url, too_many, content_type="application/json").status_code == 400
    _token, lab_key = ApiToken.issue(world.users["lab"], "实验室")
    lab = Client(HTTP_AUTHORIZATION=f"Bearer {lab_key}")
    assert lab.post(url, {"events": []}, content_type="application/json").status_code == 403
    assert Client().post(url, {"events": []}, content_type="application/json").status_code == 401
