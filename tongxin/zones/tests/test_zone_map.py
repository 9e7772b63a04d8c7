import re
from decimal import Decimal

import pytest
from django.urls import reverse

from tongxin.places.models import Place
from tongxin.zones.services import designate_zone, lift_zone

from .conftest import local

pytestmark = pytest.mark.django_db

RED, ORANGE, GREEN, GREY = "#c62828", "#ef6c00", "#f9a825", "#e0e0e0"


def _tile_colours(html: str) -> dict[str, str]:
    """Building tiles by their title ("1幢 · 封控区") → fill colour."""
    found = {}
    for match in re.finditer(
        r'class="tile"[^>]*style="--zone: (#[0-9a-f]{6});[^"]*" title="([^"]+)"', html
    ):
        found[match.group(2)] = match.group(1)
    return found


@pytest.fixture
def layout(town, incident, chief):
    designate_zone(town.sunny, "controlled", incident, at=local(6, 22), reason="管控")
    sealed = designate_zone(town.b1, "sealed", incident, at=local(7, 2), reason="封控")
    return sealed


def test_buildings_are_coloured_by_effective_zone_with_the_editions_legend(
    client, town, chief, layout
) -> None:
    client.force_login(chief)
    response = client.get(reverse("zones:map"))
    assert response.status_code == 200
    html = response.content.decode()
    tiles = _tile_colours(html)
    assert tiles["1幢 · 封控区"] == RED
    assert tiles["2幢 · 管控区"] == ORANGE
    assert tiles["3幢 · 管控区"] == ORANGE
    # The legend lists the edition's kinds with their colours, most restrictive first.
    legend = re.findall(r'class="swatch" style="--zone: (#[0-9a-f]{6})"></span>([^<]+)</li>', html)
    assert legend == [(RED, "封控区"), (ORANGE, "管控区"), (GREEN, "防范区"), (GREY, "未划定")]
    # At county level, estates without any zone are left out until asked for.
    assert "幸福小区" not in html
    assert "幸福小区" in client.get(reverse("zones:map") + "?all=1").content.decode()
    assert "<svg" not in html  # no coordinates: schematic only


def test_the_map_shows_a_past_moment(client, town, chief, layout) -> None:
    lift_zone(layout, local(14, 9), "解除", chief)
    client.force_login(chief)
    now = _tile_colours(client.get(reverse("zones:map")).content.decode())
    assert now["1幢 · 管控区"] == ORANGE
    then = client.get(reverse("zones:map"), {"at": "2022-03-07T03:00"}).content.decode()
    assert _tile_colours(then)["1幢 · 封控区"] == RED


def test_places_with_coordinates_are_positioned_on_an_svg(client, town, chief, layout) -> None:
    for place, (lat, lng) in {
        town.sunny: ("29.136000", "118.410000"),
        town.b1: ("29.136500", "118.410300"),
        town.b2: ("29.135500", "118.409700"),
    }.items():
        Place.objects.filter(pk=place.pk).update(latitude=Decimal(lat), longitude=Decimal(lng))
    client.force_login(chief)
    html = client.get(reverse("zones:map"), {"place": town.sunny.pk}).content.decode()
    circles = re.findall(r'<circle cx="([\d.]+)" cy="([\d.]+)" r="\d+" fill="(#[0-9a-f]{6})"', html)
    assert sorted(c[2] for c in circles) == sorted([ORANGE, RED, ORANGE])
    assert all(float(x) >= 0 and float(y) >= 0 for x, y, _ in circles)
    assert "tile" in html  # the schematic is still there for the building without coordinates
