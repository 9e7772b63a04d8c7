import pytest

from tongxin.audit.models import AuditEvent
from tongxin.zones.models import ZoneDesignation, ZoneEnd
from tongxin.zones.services import (
    change_zone,
    designate_zone,
    effective_zone,
    lift_zone,
    zone_history,
)

from .conftest import local

pytestmark = pytest.mark.django_db


def _code_at(place, at) -> str | None:
    zone = effective_zone(place, at)
    return zone.code if zone else None


def test_the_zone_at_any_past_moment_is_answerable(town, incident, chief) -> None:
    controlled = designate_zone(
        town.sunny, "controlled", incident, at=local(6, 22), reason="密接居住", decided_by=chief
    )
    sealed = designate_zone(
        town.b1, "sealed", incident, at=local(7, 2, 30), reason="1幢发现阳性", decided_by=chief
    )
    lowered = change_zone(sealed, "controlled", local(14, 9), "连续7天无新增", chief)
    lift_zone(lowered, local(20, 9), "满足解除条件", chief)
    lift_zone(controlled, local(21, 9), "满足解除条件", chief)

    # "What was building 1's zone at 3 a.m. on 7 March?"
    assert _code_at(town.b1, local(7, 3)) == "sealed"
    assert _code_at(town.h101, local(7, 3)) == "sealed"
    assert _code_at(town.b1, local(7, 2)) == "controlled"  # before the sealing: the estate's
    assert _code_at(town.b1, local(6, 21)) is None  # before anything
    assert _code_at(town.b1, local(14, 8, 59)) == "sealed"
    assert _code_at(town.b1, local(14, 9)) == "controlled"
    assert _code_at(town.b1, local(20, 12)) == "controlled"  # the estate still is
    assert _code_at(town.b1, local(21, 9)) is None
    assert _code_at(town.b1, None) is None


def test_changes_close_spans_and_never_rewrite_decisions(town, incident, chief) -> None:
    sealed = designate_zone(town.b1, "sealed", incident, at=local(7, 2), reason="阳性病例")
    lowered = change_zone(sealed, "controlled", local(14, 9), "降级", chief)

    sealed.refresh_from_db()
    assert (sealed.kind, sealed.reason) == ("sealed", "阳性病例")
    assert sealed.effective_until == local(14, 9)
    assert sealed.ended_how == ZoneEnd.REPLACED
    assert lowered.supersedes == sealed
    assert lowered.effective_from == local(14, 9) and lowered.effective_until is None
    assert list(zone_history(town.b1)) == [lowered, sealed]
    assert ZoneDesignation.objects.count() == 2
    events = AuditEvent.objects.filter(target_type="zones.zonedesignation")
    assert {(e.action, e.target_id) for e in events} == {
        ("create", str(sealed.pk)),
        ("update", str(sealed.pk)),
        ("create", str(lowered.pk)),
    }
