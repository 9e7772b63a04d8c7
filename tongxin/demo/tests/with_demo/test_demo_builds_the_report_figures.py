"""The demo county carries the report's figures, whatever --scale does to resident counts."""

from typing import Any

from tongxin.demo import county as spec
from tongxin.incidents.models import Incident
from tongxin.places.models import Place, PlaceKind
from tongxin.units.models import BuildingAssignment, GridRole, GridRoleKind, UnitAssignment


def _estate(name: str) -> Place:
    return Place.objects.get(kind=PlaceKind.ESTATE, name=name)


def _count(estate: Place, kind: str) -> int:
    return Place.objects.under(estate).filter(kind=kind).count()


def test_the_county_is_fictional_and_alone(demo: Any) -> None:
    root = Place.objects.get(depth=1)
    assert (root.name, root.code) == ("同心县", "330899")
    townships = set(Place.objects.filter(parent=root).values_list("name", flat=True))
    assert townships == {"城关街道", "南山镇"}


def test_big_estate_has_48_buildings_and_its_unit(demo: Any) -> None:
    estate = _estate("城东嘉苑")
    assert _count(estate, PlaceKind.BUILDING) == 48
    # Registered households; the sampling demo's walk-in was given a new one at a test point.
    walk_in_homes = Place.objects.under(estate).filter(residents__walk_in__isnull=False).count()
    assert _count(estate, PlaceKind.HOUSEHOLD) - walk_in_homes == 3168
    assert UnitAssignment.objects.get(place=estate).unit.name == "县水利局"


def test_small_estate_has_5_buildings_12_stairwells_124_households(demo: Any) -> None:
    estate = _estate("锦绣花园")
    assert _count(estate, PlaceKind.BUILDING) == 5
    assert _count(estate, PlaceKind.STAIRWELL) == 12
    assert _count(estate, PlaceKind.HOUSEHOLD) == 124
    assert UnitAssignment.objects.get(place=estate).unit.name == "县营商办"


def test_forestry_bureau_is_responsible_for_7_estates(demo: Any) -> None:
    places = UnitAssignment.objects.filter(unit__name="县林业局").values_list(
        "place__kind", flat=True
    )
    assert list(places) == [PlaceKind.ESTATE] * 7


def test_rural_villages_go_village_natural_village_group_household(demo: Any) -> None:
    house = Place.objects.get(address="同心县 南山镇 溪口村 枫树湾 2组 12号")
    kinds = [p.kind for p in Place.objects.filter(house.ancestors_q())]
    assert kinds == [
        PlaceKind.COUNTY, PlaceKind.TOWNSHIP, PlaceKind.COMMUNITY, PlaceKind.ESTATE,
        PlaceKind.BUILDING, PlaceKind.HOUSEHOLD,
    ]  # fmt: skip


def test_grid_roles_and_building_assignments(demo: Any) -> None:
    estate = _estate("城东嘉苑")
    roles = set(GridRole.objects.filter(place=estate).values_list("role", flat=True))
    assert roles == set(GridRoleKind)
    # 分片包楼: every one of the 48 buildings has its cadre; grid_staff has buildings 1–6.
    buildings = BuildingAssignment.objects.filter(place__parent=estate)
    assert buildings.values("place").distinct().count() == 48
    mine = buildings.filter(user__username="grid_staff").values_list("place__key", flat=True)
    assert sorted(mine, key=int) == ["1", "2", "3", "4", "5", "6"]


def test_an_open_incident_on_the_eighth_edition(demo: Any) -> None:
    incident = Incident.objects.get()
    assert incident.name == spec.INCIDENT_NAME
    assert incident.is_open
    assert incident.policy_edition.code == "np-8"
