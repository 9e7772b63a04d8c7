"""During the morning surge cadres' coverage pages share one computation per window and
jurisdiction: a second cadre of the same unit gets the same figures without a recount, a cadre of
another unit never gets the first unit's figures, and after the window the figures are new
(issue 15, section 4)."""

import time

import pytest
from django.core.cache import caches

from tongxin.accounts.models import Role
from tongxin.factories import UserFactory
from tongxin.sampling.services import coverage
from tongxin.sampling.services.coverage import shared_report

from .conftest import event, local


@pytest.fixture
def shared(settings):
    settings.TONGXIN_COVERAGE_CACHE_SECONDS = 30
    caches["shared"].clear()
    yield
    caches["shared"].clear()


def test_same_unit_shares_other_unit_does_not(world, upload, shared, monkeypatch):
    upload([event(world.people["s1-101"][0], "C1", at=local(6, 8))])
    computed = []
    real = coverage.coverage_report

    def counting(*args, **kwargs):
        computed.append(kwargs.get("user"))
        return real(*args, **kwargs)

    monkeypatch.setattr(coverage, "coverage_report", counting)
    leader = world.users["leader"]
    colleague = UserFactory(username="leader2", role=Role.UNIT_LEADER, unit=leader.unit)

    first = shared_report(world.round, user=leader)
    assert (first["should_test"], first["sampled"]) == (5, 1)
    # Within the window: more samples arrive, the same unit's page shows the shared figures.
    upload([event(world.people["s1-101"][1], "C1", at=local(6, 8, 1))])
    assert shared_report(world.round, user=colleague) == first
    assert len(computed) == 1

    theirs = shared_report(world.round, user=world.users["leader_b"])
    assert theirs["area"]["name"] == "华埠小区"
    assert "阳光小区" not in str(theirs)
    assert len(computed) == 2

    # The window passed: the next reader recomputes, once.
    later = time.time() + 31
    monkeypatch.setattr(coverage.time, "time", lambda: later)
    assert shared_report(world.round, user=colleague)["sampled"] == 2
    assert shared_report(world.round, user=leader)["sampled"] == 2
    assert len(computed) == 3


def test_zero_seconds_reads_live(world, upload, settings):
    settings.TONGXIN_COVERAGE_CACHE_SECONDS = 0
    leader = world.users["leader"]
    assert shared_report(world.round, user=leader)["sampled"] == 0
    upload([event(world.people["s1-101"][0], "C2", at=local(6, 8))])
    assert shared_report(world.round, user=leader)["sampled"] == 1
