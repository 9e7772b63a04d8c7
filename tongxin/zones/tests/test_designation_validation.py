import datetime as dt

import pytest

from tongxin.incidents.services import close_incident
from tongxin.zones.services import (
    ZoneError,
    change_zone,
    designate_zone,
    effective_zone,
    lift_zone,
)

from .conftest import START, local

pytestmark = pytest.mark.django_db


def test_a_kind_must_come_from_the_incidents_edition(town, incident) -> None:
    with pytest.raises(ZoneError, match="封控区\\(sealed\\)"):
        designate_zone(town.b1, "high", incident, at=local(7), reason="第九版代码")


def test_a_reason_and_an_aware_time_inside_the_incident_are_required(town, incident) -> None:
    with pytest.raises(ZoneError, match="理由"):
        designate_zone(town.b1, "sealed", incident, at=local(7), reason="  ")
    with pytest.raises(ZoneError, match="早于响应事件开始"):
        designate_zone(town.b1, "sealed", incident, at=START - dt.timedelta(hours=1), reason="x")
    with pytest.raises(ZoneError, match="时区"):
        designate_zone(town.b1, "sealed", incident, at=dt.datetime(2022, 3, 7), reason="x")


def test_history_cannot_be_overlapped_after_the_fact(town, incident) -> None:
    zone = designate_zone(town.b1, "sealed", incident, at=local(7), reason="封控")
    lift_zone(zone, local(10), "解除")
    with pytest.raises(ZoneError, match="已划定为封控区"):
        designate_zone(town.b1, "controlled", incident, at=local(9), reason="补录")
    again = designate_zone(town.b1, "controlled", incident, at=local(10), reason="再次管控")
    assert again.effective_from == local(10)


def test_a_lifted_zone_cannot_be_lifted_or_changed_again(town, incident) -> None:
    zone = designate_zone(town.b1, "sealed", incident, at=local(7), reason="封控")
    with pytest.raises(ZoneError, match="早于生效时间"):
        lift_zone(zone, local(6), "太早")
    with pytest.raises(ZoneError, match="相同"):
        change_zone(zone, "sealed", local(8), "不变")
    lift_zone(zone, local(10), "解除")
    with pytest.raises(ZoneError, match="已经解除"):
        lift_zone(zone, local(11), "再解除")
    with pytest.raises(ZoneError, match="已经解除"):
        change_zone(zone, "controlled", local(11), "再调整")


def test_zones_end_with_their_incident(town, incident) -> None:
    designate_zone(town.b1, "sealed", incident, at=local(7), reason="封控")
    close_incident(incident, local(30))
    assert effective_zone(town.h101, local(29)) is not None
    assert effective_zone(town.h101, local(30)) is None
    with pytest.raises(ZoneError, match="已结束"):
        designate_zone(town.b2, "sealed", incident, at=local(31), reason="结束后")
