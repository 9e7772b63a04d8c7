import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tongxin.factories import household
from tongxin.places.models import Place, PlaceKind
from tongxin.places.services import PlaceError, PlaceTree, create_county

pytestmark = pytest.mark.django_db


def test_the_same_place_is_never_created_twice() -> None:
    first = household("阳光小区", "3", "301")
    again = household("阳光小区", "3", "301")
    assert first.pk == again.pk
    assert Place.objects.filter(kind=PlaceKind.ESTATE, key="阳光小区").count() == 1


def test_separate_trees_agree_on_existing_places() -> None:
    county = create_county("开化县")
    a = PlaceTree().child(county, PlaceKind.TOWNSHIP, "华埠镇", "华埠镇")
    b = PlaceTree().child(county, PlaceKind.TOWNSHIP, "华埠镇", "华埠镇")
    c = PlaceTree().child(county, PlaceKind.TOWNSHIP, "池淮镇", "池淮镇")
    assert a.pk == b.pk and c.path != a.path
    county.refresh_from_db()
    assert county.numchild == 2


def test_everything_under_a_node_is_one_query() -> None:
    h1 = household("阳光小区", "1", "101")
    household("阳光小区", "2", "201", stairwell="1")
    household("幸福小区", "1", "101")
    estate = h1.parent.parent
    with CaptureQueriesContext(connection) as ctx:
        households = list(Place.objects.under(estate).filter(kind=PlaceKind.HOUSEHOLD))
    assert len(ctx.captured_queries) == 1
    assert all(" 阳光小区 " in h.address for h in households)
    assert len(households) == 2


def test_address_is_the_full_path_of_names() -> None:
    place = household("阳光小区", "3", "301", stairwell="1")
    assert place.address == "开化县 芹阳办事处 东门社区 阳光小区 3幢 1单元 301室"


def test_kinds_must_nest_in_order() -> None:
    county = create_county("开化县")
    with pytest.raises(PlaceError):
        PlaceTree().child(county, PlaceKind.HOUSEHOLD, "1", "1室")


def test_treebeard_sees_a_consistent_tree() -> None:
    household("阳光小区", "1", "101")
    household("阳光小区", "1", "102")
    problems = Place.objects.find_problems()
    assert all(not group for group in problems)
    estate = Place.objects.get(kind=PlaceKind.ESTATE)
    assert [p.name for p in Place.objects.get_ancestors(estate)] == [
        "开化县",
        "芹阳办事处",
        "东门社区",
    ]
    assert Place.objects.get_descendants(estate).count() == 3
