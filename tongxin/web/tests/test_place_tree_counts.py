"""The place tree shows, at every level, the same resident and household counts as a hand count."""

import re

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from tongxin.people.models import Person
from tongxin.places.models import Place, PlaceKind


def _row_counts(html):
    """{child name: (households, residents)} from the rows of a tree page."""
    rows = {}
    for block in re.findall(r'<li class="node">(.*?)</li>', html, re.S):
        name = re.search(r'class="grow node-name"[^>]*>([^<]+)', block).group(1).strip()
        households = re.search(r"户数 <b>(\d+)</b>", block)
        residents = re.search(r"居民 <b>(\d+)</b>", block)
        rows[name] = (
            int(households.group(1)) if households else None,
            int(residents.group(1)) if residents else None,
        )
    return rows


def _hand_count(place):
    residents = sum(1 for p in Person.objects.all() if p.household.path.startswith(place.path))
    households = sum(
        1 for h in Place.objects.filter(kind=PlaceKind.HOUSEHOLD) if h.path.startswith(place.path)
    )
    return households, residents


def test_every_level_from_county_to_stairwell_matches_hand_counts(login, world):
    client = login("command")
    place = world.county
    seen_levels = 0
    while place.kind not in (PlaceKind.HOUSEHOLD,):
        html = client.get(reverse("place", args=[place.pk])).content.decode()
        rows = _row_counts(html)
        children = list(Place.objects.filter(parent=place))
        assert set(rows) == {c.name for c in children}
        for child in children:
            expected = _hand_count(child)
            if child.kind == PlaceKind.HOUSEHOLD:
                assert rows[child.name][1] == expected[1]
            else:
                assert rows[child.name] == expected, child.name
        seen_levels += 1
        # Go down along the branch that has a stairwell: township → … → 2幢 → 1单元.
        place = next(
            (
                c
                for c in children
                if c.name in {"芹阳办事处", "东门社区", "阳光小区", "2幢", "1单元"}
            ),
            children[0],
        )
    assert seen_levels == 6  # county, township, community, estate, building, stairwell


def test_household_page_lists_its_residents(login, world):
    home = world.households["sun-1-101"]
    html = login("grid").get(reverse("place", args=[home.pk])).content.decode()
    assert "张三" in html and "李梅" in html
    assert "王五" not in html
    assert "居民 <b>2</b>" in html


def test_counts_cost_one_query_per_level_not_per_child(login, world):
    client = login("command")
    township = Place.objects.get(kind=PlaceKind.TOWNSHIP, name="芹阳办事处")
    with CaptureQueriesContext(connection) as few:
        client.get(reverse("place", args=[township.pk]))
    community = Place.objects.get(kind=PlaceKind.COMMUNITY, name="东门社区")
    with CaptureQueriesContext(connection) as same:
        client.get(reverse("place", args=[community.pk]))
    # 东门社区 has two estates, 芹阳办事处 one community: the query count must not grow with them.
    assert len(same.captured_queries) == len(few.captured_queries)


def test_unit_user_tree_starts_at_their_estate(login, world):
    client = login("leader")
    response = client.get(reverse("tree"))
    assert response.status_code == 302
    assert response["Location"] == reverse("place", args=[world.sunshine.pk])
    html = client.get(response["Location"]).content.decode()
    assert "我的辖区" in html
    # Ancestors above the jurisdiction are not offered as places to open.
    for above in Place.objects.filter(depth__lt=world.sunshine.depth):
        assert reverse("place", args=[above.pk]) not in html
        assert client.get(reverse("place", args=[above.pk])).status_code == 404
    assert set(_row_counts(html)) == {"1幢", "2幢"}


def test_county_user_tree_opens_the_county(login, world):
    response = login("command").get(reverse("tree"))
    assert response["Location"] == reverse("place", args=[world.county.pk])


def test_htmx_navigation_returns_only_the_panel(login, world):
    client = login("command")
    url = reverse("place", args=[world.sunshine.pk])
    full = client.get(url)
    assert b"<html" in full.content and b'id="place-panel"' in full.content
    fragment = client.get(url, headers={"HX-Request": "true", "HX-Target": "place-panel"})
    assert b"<html" not in fragment.content
    assert fragment.content.decode().lstrip().startswith('<div id="place-panel">')
    assert "<title>阳光小区" in fragment.content.decode()
    assert fragment["Vary"] and "HX-Request" in fragment["Vary"]
    # A history restore (back button after the htmx cache is gone) needs the whole page again.
    restore = client.get(
        url,
        headers={
            "HX-Request": "true",
            "HX-Target": "place-panel",
            "HX-History-Restore-Request": "true",
        },
    )
    assert b"<html" in restore.content


def test_expanding_a_node_loads_its_children_inline(login, world):
    client = login("command")
    building = world.households["sun-1-101"].parent
    url = reverse("place_children", args=[building.pk])
    fragment = client.get(url, headers={"HX-Request": "true"}).content.decode()
    assert set(_row_counts(fragment)) == {"101室", "102室"}
    assert "<html" not in fragment
    # Opened as a plain page, the same address leads to the place's full page.
    plain = client.get(url)
    assert plain.status_code == 302 and plain["Location"] == reverse("place", args=[building.pk])


def test_roles_without_resident_access_see_places_without_resident_counts(login, world):
    html = login("lab").get(reverse("place", args=[world.sunshine.pk])).content.decode()
    assert set(_row_counts(html)) == {"1幢", "2幢"}
    assert all(residents is None for _, residents in _row_counts(html).values())
    assert "在此范围内查找居民" not in html


def test_staff_without_a_unit_have_an_empty_tree(login, world):
    html = login("test_point").get(reverse("tree")).content.decode()
    assert "您的辖区内还没有地点" in html
    assert login("test_point").get(reverse("place", args=[world.county.pk])).status_code == 404
