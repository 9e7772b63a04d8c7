import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from tongxin.factories import household
from tongxin.zones.services import designate_zone, record_area_round, record_positive

from .conftest import local

pytestmark = pytest.mark.django_db


def _queries(client, url: str) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured)


def test_the_list_and_map_cost_the_same_for_two_zones_or_eight(
    client, town, incident, chief
) -> None:
    client.force_login(chief)
    designate_zone(town.sunny, "controlled", incident, at=local(6), reason="管控")
    designate_zone(town.b1, "sealed", incident, at=local(6), reason="封控")
    record_positive(incident, town.h101, local(7))
    record_area_round(incident, town.sunny, local(8), all_negative=True)
    _queries(client, reverse("zones:list"))  # warm up the session and caches
    few = (_queries(client, reverse("zones:list")), _queries(client, reverse("zones:map")))

    for n in range(2, 8):
        place = household(f"新{n}小区", "1", "101").parent.parent
        designate_zone(place, "prevention", incident, at=local(6), reason="防范")
        record_positive(incident, place, local(7))
    many = (_queries(client, reverse("zones:list")), _queries(client, reverse("zones:map")))
    assert many == few
