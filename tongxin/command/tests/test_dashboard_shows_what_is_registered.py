"""The dashboard shows each registered module's cards and hides what is not registered; a
module registered later (tracing, isolation …) appears without a change here; what changed
since the person's last view is highlighted; the wall view and the API carry the same
figures."""

import pytest
from django.test import Client
from django.urls import reverse

from tongxin.command.factories import help_request, local
from tongxin.incidents import registry

from .conftest import PASSWORD


@pytest.fixture
def without_tracing_and_isolation(monkeypatch):
    """The picture of an install where those two modules are absent."""
    for module in ("tracing", "isolation"):
        monkeypatch.delitem(registry._figures, module, raising=False)


@pytest.fixture
def isolation_module(monkeypatch, without_tracing_and_isolation):
    """A stand-in for the isolation module, registered as an app would (restored afterwards)."""

    def provider(incident, *, area=None, at=None):
        return {"sites": 3, "occupied": 40 if area is None else 5, "labels": {"sites": "隔离点"}}

    monkeypatch.setitem(registry._figures, "isolation", provider)
    return provider


def _client(username="command"):
    client = Client()
    client.login(username=username, password=PASSWORD)
    return client


def test_registered_modules_have_cards_and_absent_ones_none(world, without_tracing_and_isolation):
    help_request(world.incident, local(7, 9), world.homes["sun"])
    page = _client().get(reverse("command:dashboard")).content.decode()
    for title in ("核酸检测", "三区管控", "求助平台", "指令办理"):
        assert title in page
    assert "集中隔离" not in page
    assert "病例与密接" not in page


def test_a_newly_registered_module_appears(world, isolation_module):
    page = _client().get(reverse("command:dashboard")).content.decode()
    assert "集中隔离" in page and "隔离点" in page
    body = _client().get("/api/v1/command/dashboard").json()
    isolation = next(s for s in body["sections"] if s["module"] == "isolation")
    assert {f["key"]: f["value"] for f in isolation["figures"]} == {"sites": 3, "occupied": 40}


def test_changes_since_last_view_are_highlighted(world):
    client = _client()
    first = client.get(reverse("command:dashboard")).content.decode()
    assert "cmd-changed" not in first
    help_request(world.incident, local(7, 9), world.homes["sun"])
    from django.core.cache import cache

    cache.clear()  # past the wall's refresh window
    second = client.get(reverse("command:dashboard")).content.decode()
    assert 'class="figure cmd-changed" data-key="helpdesk.received"' in second
    assert "上次 0" in second


def test_drill_down_county_township_estate(world):
    client = _client()
    county = client.get(reverse("command:dashboard")).content.decode()
    township = world.sunshine.parent.parent
    assert f"?area={township.pk}" in county
    town_page = client.get(reverse("command:dashboard"), {"area": township.pk}).content.decode()
    assert f"?area={world.sunshine.pk}" in town_page and f"?area={world.happiness.pk}" in town_page
    estate = client.get(reverse("command:dashboard"), {"area": world.sunshine.pk})
    assert '<h2 id="area-name" class="cmd-area">阳光小区</h2>' in estate.content.decode()


def test_wall_view_refreshes_and_trends_are_json(world):
    client = _client()
    wall = client.get(reverse("command:wall")).content.decode()
    assert 'class="cmd-wall"' in wall and 'hx-trigger="every 30s"' in wall
    fragment = client.get(
        reverse("command:wall"), headers={"HX-Request": "true", "HX-Target": "wall-cards"}
    ).content.decode()
    assert "<html" not in fragment and "求助平台" in fragment
    trends = client.get(reverse("command:trends")).json()
    assert {"per_day", "per_hour"} <= set(trends)
    keys = {s["key"] for s in trends["per_day"]["series"]}
    assert "helpdesk.received" in keys


def test_unknown_area_or_incident_is_404(world):
    client = _client()
    assert client.get(reverse("command:dashboard"), {"area": "abc"}).status_code == 404
    assert client.get(reverse("command:dashboard"), {"area": 999999}).status_code == 404
    assert client.get(reverse("command:dashboard"), {"incident": "x"}).status_code == 404


def test_trends_per_day_and_hour(world):
    from tongxin.command.services import figures as fig

    help_request(world.incident, local(7, 9), world.homes["sun"], closed_at=local(7, 15))
    help_request(world.incident, local(8, 9), world.homes["huabu"], phone="13700000001")
    data = fig.trends(world.incident, now=local(8, 12))
    assert data["per_day"]["x"] == ["03-06", "03-07", "03-08"]
    received = next(s for s in data["per_day"]["series"] if s["key"] == "helpdesk.received")
    assert received["data"] == [0, 1, 2]
    hourly = next(s for s in data["per_hour"]["series"] if s["key"] == "helpdesk.received")
    assert hourly["data"][-1] == 2 and len(data["per_hour"]["x"]) == 25
