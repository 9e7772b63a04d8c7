"""The place tree from where the caller's jurisdiction starts, with visible resident counts,
the place's fields, and a breadcrumb that names the levels above without opening them."""

from django.test import Client

from tongxin.api.tests.conftest import County
from tongxin.factories import PersonFactory
from tongxin.places.models import Place


def test_the_command_post_starts_at_the_county_with_counts(
    county: County, command_api: Client
) -> None:
    PersonFactory(household=county.inside_home)

    top = command_api.get("/api/v1/places/").json()

    assert [(p["kind"], p["name"], p["residents"]) for p in top] == [("county", "开化县", 3)]
    assert top[0]["code"] == "330824"
    assert top[0]["parent_id"] is None
    assert set(top[0]) >= {"address", "lat", "lng", "numchild", "kind_label"}


def test_a_unit_starts_at_its_estate_and_walks_down(county: County, unit_api: Client) -> None:
    top = unit_api.get("/api/v1/places/").json()
    assert [(p["name"], p["residents"], p["parent_id"]) for p in top] == [("阳光小区", 1, None)]

    buildings = unit_api.get("/api/v1/places/", {"parent": top[0]["id"]}).json()
    assert [(b["kind"], b["name"], b["residents"]) for b in buildings] == [("building", "3幢", 1)]
    assert buildings[0]["parent_id"] == top[0]["id"]

    homes = unit_api.get("/api/v1/places/", {"parent": buildings[0]["id"]}).json()
    assert [(h["kind"], h["name"], h["residents"]) for h in homes] == [("household", "301室", 1)]


def test_the_breadcrumb_names_levels_above_but_links_only_reachable_ones(
    county: County, unit_api: Client
) -> None:
    home = unit_api.get(f"/api/v1/places/{county.inside_home.pk}").json()

    crumbs = [(c["kind"], c["name"], c["id"]) for c in home["ancestors"]]
    building = Place.objects.get(pk=county.inside_home.parent_id)
    assert crumbs == [
        ("county", "开化县", None),
        ("township", "芹阳办事处", None),
        ("community", "东门社区", None),
        ("estate", "阳光小区", county.inside_estate.pk),
        ("building", "3幢", building.pk),
    ]
    assert home["residents"] == 1
    assert home["address"].endswith("301室")


def test_coordinates_are_numbers(county: County, command_api: Client) -> None:
    Place.objects.filter(pk=county.inside_estate.pk).update(
        latitude="29.137000", longitude="118.410000"
    )

    estate = command_api.get(f"/api/v1/places/{county.inside_estate.pk}").json()

    assert (estate["lat"], estate["lng"]) == (29.137, 118.41)


def test_children_come_in_the_order_people_read_them(county: County, command_api: Client) -> None:
    from tongxin.factories import household

    # Created 10 before 2: stored order would list 10幢 first.
    household("阳光小区", "10", "101")
    household("阳光小区", "2", "101")
    estate = Place.objects.get(kind="estate", name="阳光小区")

    buildings = command_api.get("/api/v1/places/", {"parent": estate.pk}).json()

    assert [b["name"] for b in buildings] == ["2幢", "3幢", "10幢"]
