import datetime as dt

import pytest

from tongxin.factories import household
from tongxin.zones.demo import load_demo_zones
from tongxin.zones.models import ZoneDesignation
from tongxin.zones.services import effective_zone, lifting_proposals

from .conftest import START

pytestmark = pytest.mark.django_db


@pytest.fixture
def county():
    big = [household("城东嘉苑", str(n), "101") for n in range(1, 15)]
    small = household("锦绣花园", "1", "101", community="锦江社区")
    elsewhere = household("上坞", "1", "1", township="南山镇", community="南山村")
    return big, small, elsewhere


def test_the_demo_has_a_controlled_estate_with_sealed_buildings_inside(county, incident) -> None:
    big, small, elsewhere = county
    now = START + dt.timedelta(days=20)
    result = load_demo_zones(incident, now)
    assert result["created"] and result["designations"] == 6

    def zone_of(place):
        info = effective_zone(place, now)
        return info.name if info else None

    assert [zone_of(h) for h in big[:4]] == ["管控区", "管控区", "封控区", "管控区"]
    assert zone_of(big[6]) == zone_of(big[11]) == "封控区"
    assert zone_of(small) == "管控区"
    assert zone_of(elsewhere) is None
    assert zone_of(big[0].parent.parent.parent.parent) == "防范区"  # the township
    # The small estate has been clear long enough and has a negative round: on the board.
    assert [s.designation.place for s in lifting_proposals(incident, now)] == [small.parent.parent]


def test_loading_twice_changes_nothing(county, incident) -> None:
    now = START + dt.timedelta(days=3)
    first = load_demo_zones(incident, now)
    second = load_demo_zones(incident, now + dt.timedelta(hours=1))
    assert not second["created"]
    assert {k: v for k, v in first.items() if k != "created"} == {
        k: v for k, v in second.items() if k != "created"
    }
    assert ZoneDesignation.objects.count() == 6
    # Three days in, the 14-day clock has not run: nothing is proposed yet.
    assert lifting_proposals(incident, now) == []
