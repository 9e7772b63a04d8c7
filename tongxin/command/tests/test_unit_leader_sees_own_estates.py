"""A unit leader sees the same picture limited to the unit's estates; anywhere else is 404."""

import pytest
from django.test import Client
from django.urls import reverse

from tongxin.command.factories import help_request, local
from tongxin.command.services import dashboard
from tongxin.command.services import figures as fig

from .conftest import PASSWORD


def _value(data, module, key):
    section = next(s for s in data["sections"] if s["module"] == module)
    return next(f["value"] for f in section["figures"] if f["key"] == key)


@pytest.fixture
def requests_everywhere(world):
    help_request(world.incident, local(7, 9), world.homes["sun"])
    help_request(world.incident, local(7, 9), world.homes["sun2"], phone="13700000003")
    help_request(world.incident, local(7, 10), world.homes["happy"], phone="13700000004")
    help_request(world.incident, local(7, 11), world.homes["huabu"], phone="13700000005")


def test_leader_picture_covers_only_the_units_estates(world, requests_everywhere):
    scope = dashboard.scope_for(world.users["leader"])
    assert scope.areas == [world.sunshine]
    leader = fig.picture(world.incident, scope.areas)
    county = fig.picture(world.incident, dashboard.scope_for(world.users["command"]).areas)
    assert _value(leader, "helpdesk", "received") == 2
    assert _value(county, "helpdesk", "received") == 4
    assert dashboard.drill_children(world.users["leader"], scope) == [world.sunshine]


def test_leader_drilling_elsewhere_is_404(world, requests_everywhere):
    client = Client()
    client.login(username="leader", password=PASSWORD)
    url = reverse("command:dashboard")
    assert client.get(url, {"area": world.sunshine.pk}).status_code == 200
    for other in (world.huabu, world.happiness, world.county):
        assert client.get(url, {"area": other.pk}).status_code == 404
        api = client.get("/api/v1/command/dashboard", {"area": other.pk})
        assert api.status_code == 404
    body = client.get("/api/v1/command/dashboard").json()
    assert _value(body, "helpdesk", "received") == 2


def test_grid_staff_and_helpdesk_have_no_command_picture(world):
    for username in ("grid", "desk"):
        client = Client()
        client.login(username=username, password=PASSWORD)
        assert client.get(reverse("command:dashboard")).status_code == 403
        assert client.get("/api/v1/command/dashboard").status_code == 404
        assert client.get("/api/v1/command/reports/1").status_code == 404
