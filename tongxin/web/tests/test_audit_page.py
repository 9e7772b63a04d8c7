"""The audit trail page: command post and administrators only, newest first, filterable."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from tongxin.audit.context import acting_as, actor_for_user
from tongxin.audit.models import AuditAction, AuditEvent
from tongxin.audit.services import record


def _events(html):
    import re

    return re.findall(r'<li class="card event">.*?</li>', html, re.S)


@pytest.fixture
def trail(world):
    AuditEvent.objects.all().delete()
    zhang, sun = world.people["zhang"], world.people["sun"]
    with acting_as(actor_for_user(world.users["grid"], "web", "10.0.0.7")):
        record(AuditAction.VIEW, zhang)
        record(AuditAction.REVEAL, zhang, detail={"field": "phone"})
    with acting_as(actor_for_user(world.users["leader_b"], "web")):
        record(AuditAction.VIEW, sun)
        old = record(AuditAction.EXPORT, target_type="people.person", label="居民 ×2")
    AuditEvent.objects.filter(pk=old.pk).update(at=timezone.now() - dt.timedelta(days=10))
    return world


def _signed_in(login, role):
    client = login(role)
    AuditEvent.objects.filter(action=AuditAction.LOGIN).delete()  # keep only the trail's events
    return client


@pytest.mark.parametrize("role", ["leader", "grid", "investigator", "test_point", "lab"])
def test_other_roles_are_refused(login, trail, role):
    assert login(role).get(reverse("audit")).status_code == 403


@pytest.mark.parametrize("role", ["command", "sysadmin"])
def test_command_post_and_sysadmin_see_everything_newest_first(login, trail, role):
    html = _signed_in(login, role).get(reverse("audit")).content.decode()
    events = _events(html)
    assert len(events) == 4
    assert "action-view" in events[0] and "leader_b" in events[0]  # recorded last
    assert "查看明文" in events[1]
    assert "导出" in events[-1]  # ten days old


def test_filter_by_actor_action_target_type_and_dates(login, trail):
    client = _signed_in(login, "command")
    url = reverse("audit")
    assert len(_events(client.get(url, {"actor": "grid"}).content.decode())) == 2
    only_reveal = _events(client.get(url, {"action": "reveal"}).content.decode())
    assert len(only_reveal) == 1 and "10.0.0.7" in only_reveal[0]
    assert len(_events(client.get(url, {"target_type": "people.person"}).content.decode())) == 4
    today = timezone.localdate().isoformat()
    assert len(_events(client.get(url, {"date_from": today}).content.decode())) == 3
    earlier = (timezone.localdate() - dt.timedelta(days=5)).isoformat()
    old = _events(client.get(url, {"date_to": earlier}).content.decode())
    assert len(old) == 1 and "导出" in old[0]
    combined = client.get(url, {"actor": "leader_b", "action": "view", "date_from": today})
    assert len(_events(combined.content.decode())) == 1


def test_paginated(login, trail):
    with acting_as(actor_for_user(trail.users["command"], "web")):
        for _ in range(60):
            record(AuditAction.VIEW, trail.people["zhang"])
    client = _signed_in(login, "command")
    first = client.get(reverse("audit"), {"actor": "command"}).content.decode()
    assert len(_events(first)) == 50
    assert "page=2" in first and "actor=command" in first
    second = client.get(reverse("audit"), {"actor": "command", "page": 2}).content.decode()
    assert len(_events(second)) == 10
