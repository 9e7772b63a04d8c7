"""When more uploads arrive than a process takes at once, or a device sends faster than its
rate, or the database is away, the upload answers 503/429 with `Retry-After` and stores
nothing; the same batch sent later is stored once."""

from unittest import mock

import pytest
from django.db import OperationalError
from django.test import Client

from tongxin.accounts.models import ApiToken
from tongxin.sampling.models import SampleEvent, Tube
from tongxin.sampling.services import admission

from .conftest import event, local

URL = "/api/v1/sampling/events"


@pytest.fixture
def device(world):
    admission.reset()
    _token, key = ApiToken.issue(world.users["sampler"], "采样终端 surge")
    yield Client(HTTP_AUTHORIZATION=f"Bearer {key}")
    admission.reset()


def _body(world, people, tube):
    return {
        "round": world.round.pk,
        "point": world.point.pk,
        "tube_mode": "pool_10",
        "events": [event(p, tube, at=local(6, 8, i)) for i, p in enumerate(people)],
    }


def test_uploads_beyond_the_concurrency_bound_get_503_with_retry_after(world, device, settings):
    settings.TONGXIN_UPLOAD_CONCURRENCY = 2
    body = _body(world, world.all_people()[:3], "SURGE-1")
    semaphore = admission._semaphore()
    assert semaphore.acquire(blocking=False) and semaphore.acquire(blocking=False)
    try:
        busy = device.post(URL, body, content_type="application/json")
    finally:
        semaphore.release()
        semaphore.release()
    assert busy.status_code == 503
    assert int(busy["Retry-After"]) >= 1
    assert "排队" in busy.json()["detail"]
    assert SampleEvent.objects.count() == 0

    admitted = device.post(URL, body, content_type="application/json")
    assert admitted.status_code == 200
    assert admitted.json()["stored"] == 3
    # A slot is given back after every upload, admitted or failed.
    assert semaphore.acquire(blocking=False) and semaphore.acquire(blocking=False)
    semaphore.release()
    semaphore.release()


def test_a_device_over_its_rate_gets_429_with_retry_after(world, device, settings):
    settings.TONGXIN_UPLOAD_BATCHES_PER_MINUTE = 2
    people = world.all_people()
    answers = [
        device.post(URL, _body(world, [p], f"RATE-{i}"), content_type="application/json")
        for i, p in enumerate(people[:3])
    ]
    assert [a.status_code for a in answers] == [200, 200, 429]
    # Two a minute: the next batch may come in about 30 seconds.
    assert 1 <= int(answers[2]["Retry-After"]) <= 30
    assert sorted(SampleEvent.objects.values_list("person_id", flat=True)) == sorted(
        p.pk for p in people[:2]
    )


def test_a_database_that_is_away_is_a_503_not_a_crash(world, device):
    body = _body(world, world.all_people()[:2], "DBDOWN-1")
    with mock.patch(
        "tongxin.sampling.services.recording._Batch.run",
        side_effect=OperationalError("server closed the connection unexpectedly"),
    ):
        away = device.post(URL, body, content_type="application/json")
    assert away.status_code == 503
    assert int(away["Retry-After"]) >= 1
    assert SampleEvent.objects.count() == 0

    back = device.post(URL, body, content_type="application/json")
    assert back.status_code == 200
    assert back.json()["stored"] == 2
    assert Tube.objects.get(barcode="DBDOWN-1").sample_count == 2
