"""The county summary is computed once per window for the whole site, not once per worker: the
figures live in the shared cache (the database or Redis, settings.CACHES["shared"]), one
recomputation runs at a time per key (a stampede of readers at the end of a window costs one),
and the shared cache holds counts only, never a person (issue 15, section 4)."""

import threading
import time

import pytest
from django.core.cache import caches
from django.urls import reverse

from tongxin.sampling.services import coverage
from tongxin.sampling.services.coverage import shared_key, shared_report

from .conftest import event, local


@pytest.fixture
def shared(settings):
    settings.TONGXIN_COVERAGE_CACHE_SECONDS = 30
    caches["shared"].clear()
    caches["default"].clear()
    yield
    caches["shared"].clear()


@pytest.fixture
def computed(monkeypatch):
    calls = []
    real = coverage.coverage_report

    def counting(*args, **kwargs):
        calls.append(kwargs.get("user"))
        return real(*args, **kwargs)

    monkeypatch.setattr(coverage, "coverage_report", counting)
    return calls


def test_two_workers_within_the_window_compute_once(world, upload, shared, computed):
    upload([event(world.people["s1-101"][0], "W1", at=local(6, 8))])
    chief = world.users["command"]
    first = shared_report(world.round, user=chief)
    key = shared_key(world.round, None, chief)
    # In the shared cache (the database here), not in this process's memory.
    assert caches["shared"].get(key)["report"] == first
    assert caches["default"].get(key) is None
    # Another worker: its own memory is empty, the shared cache answers.
    caches["default"].clear()
    assert shared_report(world.round, user=chief) == first
    assert len(computed) == 1


def test_a_reader_during_a_recomputation_gets_the_last_window(world, shared, computed, monkeypatch):
    chief = world.users["command"]
    first = shared_report(world.round, user=chief)
    key = shared_key(world.round, None, chief)
    later = time.time() + 31  # the window is over ...
    monkeypatch.setattr(coverage.time, "time", lambda: later)
    caches["shared"].add(f"{key}:computing", 1, 60)  # ... and another worker is recomputing
    assert shared_report(world.round, user=chief) == first
    assert len(computed) == 1
    caches["shared"].delete(f"{key}:computing")  # it finished (or died): the next one computes
    shared_report(world.round, user=chief)
    assert len(computed) == 2


def test_a_first_reader_waits_for_the_one_computing_then_gives_up(
    world, shared, computed, monkeypatch
):
    chief = world.users["command"]
    key = shared_key(world.round, None, chief)
    caches["shared"].add(f"{key}:computing", 1, 60)
    ready = {"report": {"figures": "from the other worker"}, "fresh_until": time.time() + 30}
    naps = []

    def nap(seconds):  # the other worker stores its figures while this one waits
        naps.append(seconds)
        if len(naps) == 3:
            caches["shared"].set(key, ready, 60)

    monkeypatch.setattr(coverage.time, "sleep", nap)
    assert shared_report(world.round, user=chief) == ready["report"]
    assert (len(naps), computed) == (3, [])

    # Nothing ever comes: the wait is bounded, then the reader computes the figures itself.
    caches["shared"].delete(key)
    naps.clear()
    monkeypatch.setattr(coverage.time, "sleep", lambda s: naps.append(s))
    assert shared_report(world.round, user=chief)["round"]["id"] == world.round.pk
    assert len(naps) == round(coverage.WAIT_SECONDS / coverage.WAIT_STEP)
    assert len(computed) == 1


def test_a_stampede_computes_once(settings, monkeypatch):
    settings.TONGXIN_COVERAGE_CACHE_SECONDS = 30
    settings.CACHES = {
        **settings.CACHES,
        "shared": {
            "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
            "LOCATION": "stampede",
        },
    }  # threads here have no test database; the guard is the cache's atomic add
    calls = []

    def slow(round, area=None, *, user=None):
        calls.append(1)
        time.sleep(0.3)
        return {"computed": len(calls)}

    monkeypatch.setattr(coverage, "coverage_report", slow)
    monkeypatch.setattr(coverage, "shared_key", lambda *a: "sampling:coverage:test")

    class Round:
        pk = 1

    answers = []
    readers = [
        threading.Thread(target=lambda: answers.append(shared_report(Round(), user=None)))
        for _ in range(12)
    ]
    for reader in readers:
        reader.start()
    for reader in readers:
        reader.join()
    assert len(calls) == 1
    assert answers == [{"computed": 1}] * 12


def test_only_counts_in_the_shared_cache(world, upload, shared, client, monkeypatch):
    upload([event(world.people["s1-101"][0], "W2", at=local(6, 8))])
    chief = world.users["command"]
    client.force_login(chief)
    assert client.get(reverse("sampling:coverage", args=[world.round.pk])).status_code == 200
    names = [p.name for p in world.all_people()]
    report = caches["shared"].get(shared_key(world.round, None, chief))["report"]
    assert report["sampled"] == 1
    assert not [n for n in names if n in str(report)]

    written = []
    backend = caches["shared"]
    for method in ("set", "add", "set_many", "get_or_set", "incr"):
        real = getattr(backend, method)
        monkeypatch.setattr(
            backend, method, lambda *a, _real=real, **k: written.append(a) or _real(*a, **k)
        )
    page = client.get(reverse("sampling:untested", args=[world.round.pk, world.sunny.pk]))
    assert "李梅" in page.content.decode()  # the untested list names people ...
    assert written == []  # ... and puts none of it in the shared cache


def _redis(settings, url):
    settings.CACHES = {**settings.CACHES, "shared": {
        "BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": url,
        "KEY_PREFIX": "tongxin-test",
    }}  # fmt: skip


def test_redis_is_shared_the_same_way(world, settings, computed):
    """TONGXIN_CACHE_URL=redis://…: the same sharing (skipped where no Redis answers)."""
    import redis

    url = "redis://127.0.0.1:6379/15"
    try:
        redis.Redis.from_url(url, socket_connect_timeout=1).ping()
    except redis.exceptions.ConnectionError:
        pytest.skip("no Redis on 127.0.0.1:6379")
    settings.TONGXIN_COVERAGE_CACHE_SECONDS = 30
    _redis(settings, url)
    chief = world.users["command"]
    key = shared_key(world.round, None, chief)
    caches["shared"].delete_many([key, f"{key}:computing"])  # only ours: the Redis is shared
    try:
        first = shared_report(world.round, user=chief)
        caches["default"].clear()
        assert shared_report(world.round, user=chief) == first
        assert len(computed) == 1
    finally:
        caches["shared"].delete_many([key, f"{key}:computing"])


def test_an_unreachable_shared_cache_falls_back_to_the_worker(
    world, settings, computed, caplog, monkeypatch
):
    settings.TONGXIN_COVERAGE_CACHE_SECONDS = 30
    monkeypatch.setattr(coverage, "_shared_down_until", [0.0])
    _redis(settings, "redis://127.0.0.1:1/0")  # nothing listens there
    caches["default"].clear()
    chief = world.users["command"]
    first = shared_report(world.round, user=chief)
    assert shared_report(world.round, user=chief) == first
    assert len(computed) == 1  # shared by this worker, as before there was a shared cache
    assert caplog.text.count("shared cache unavailable") == 1  # said once, not per request
