import pytest
from django.urls import reverse

from tongxin.incidents.services import switch_policy
from tongxin.zones.services import ZoneError, designate_zone, effective_zone, lifting_status

from .conftest import local

pytestmark = pytest.mark.django_db


def test_switching_the_edition_changes_names_and_rules_shown(
    client, town, incident, chief, np9
) -> None:
    sealed = designate_zone(town.b1, "sealed", incident, at=local(7), reason="阳性")
    client.force_login(chief)
    before = client.get(reverse("zones:detail", args=[sealed.pk])).content.decode()
    assert "封控区" in before and "高风险区" not in before
    assert "需 14 天" in before

    switch_policy(incident, np9)
    after = client.get(reverse("zones:detail", args=[sealed.pk])).content.decode()
    assert "高风险区" in after
    assert "需 7 天" in after
    assert "划定时名称" in after  # the record still says what it was called when decided
    assert "不得出户" in after and "上门服务" in after

    zone = effective_zone(town.h101)
    assert zone is not None and (zone.name, zone.kind.leave_home) == ("高风险区", False)
    sealed.refresh_from_db()  # the instance cached the incident with its old edition
    assert lifting_status(sealed).required_days == 7

    listing = client.get(reverse("zones:list")).content.decode()
    assert "高风险区" in listing and "中风险区" in listing and "封控区" not in listing


def test_new_designations_use_the_editions_own_codes(town, incident, np9) -> None:
    switch_policy(incident, np9)
    with pytest.raises(ZoneError, match="高风险区"):
        designate_zone(town.b2, "sealed", incident, at=local(8), reason="旧代码")
    medium = designate_zone(town.b2, "medium", incident, at=local(8), reason="新代码")
    assert (medium.kind, medium.kind_name, medium.kind_rank) == ("medium", "中风险区", 2)


def test_kinds_come_from_data_not_code(town, incident, np8) -> None:
    np8.rules["zone_kinds"].append(
        {
            "code": "temporary", "name": "临时管控区", "rank": 2, "leave_home": True,
            "leave_zone": False, "door_to_door": False,
            "testing": {"mode": "pool_10", "every_days": 2},
        }
    )  # fmt: skip
    np8.save()
    zone = designate_zone(town.b3, "temporary", incident, at=local(8), reason="临时")
    info = effective_zone(town.b3)
    assert info is not None and info.designation == zone and info.name == "临时管控区"
