import pytest

from tongxin.incidents.services import switch_policy
from tongxin.zones.models import ZoneDesignation
from tongxin.zones.services import (
    ZoneError,
    accept_proposal,
    designate_zone,
    dismiss_proposal,
    effective_zone,
    lifting_proposals,
    lifting_status,
    record_area_round,
    record_positive,
)

from .conftest import local

pytestmark = pytest.mark.django_db


def _proposed(incident, at) -> list[ZoneDesignation]:
    return [s.designation for s in lifting_proposals(incident, at)]


@pytest.fixture
def sealed_b1(town, incident, chief) -> ZoneDesignation:
    zone = designate_zone(
        town.b1, "sealed", incident, at=local(6, 9), reason="阳性", decided_by=chief
    )
    record_positive(incident, town.h101, local(7, 10), source="混管复核阳性", reference="T-0007")
    return zone


def test_proposed_on_day_n_not_on_day_n_minus_1(town, incident, sealed_b1) -> None:
    # np-8: 14 days without a new case, an all-negative whole-area round in the last 2 days.
    record_area_round(incident, town.b1, local(20, 18), all_negative=True, reference="R-20")
    assert _proposed(incident, local(20, 23, 59)) == []
    day_13 = lifting_status(sealed_b1, local(20, 23, 59))
    assert (day_13.days_clear, day_13.days_to_go, day_13.round_ok) == (13, 1, True)

    assert _proposed(incident, local(21, 0, 1)) == [sealed_b1]
    status = lifting_status(sealed_b1, local(21, 0, 1))
    assert status.days_clear == 14 and status.proposed
    assert status.action == "downgrade" and status.target is not None
    assert status.target.name == "管控区"
    assert status.days_since_positive == 14


def test_a_new_positive_resets_the_clock(town, incident, sealed_b1) -> None:
    record_positive(incident, town.h101, local(15, 8), source="入户采样阳性")
    record_area_round(incident, town.b1, local(21, 6), all_negative=True)
    assert _proposed(incident, local(21, 12)) == []
    assert lifting_status(sealed_b1, local(21, 12)).days_clear == 6
    record_area_round(incident, town.b1, local(29, 6), all_negative=True)
    assert _proposed(incident, local(29, 12)) == [sealed_b1]


def test_a_positive_outside_the_zone_does_not_reset_it(town, incident, sealed_b1) -> None:
    record_positive(incident, town.h201, local(15, 8))  # building 2, not in the zone
    record_area_round(incident, town.sunny, local(21, 6), all_negative=True)
    assert _proposed(incident, local(21, 12)) == [sealed_b1]


def test_the_round_must_be_recent_negative_and_cover_the_whole_zone(
    town, incident, sealed_b1
) -> None:
    at = local(22, 12)  # 15 days clear
    assert _proposed(incident, at) == []  # no round at all
    record_area_round(incident, town.b1, local(20, 12), all_negative=True)
    assert _proposed(incident, at) == []  # two days ago: outside "within 2 days"
    record_area_round(incident, town.h101, local(22, 6), all_negative=True)
    assert _proposed(incident, at) == []  # one household is not the whole zone
    record_area_round(incident, town.community, local(21, 6), all_negative=False)
    assert _proposed(incident, at) == []  # the latest covering round was not all negative
    record_area_round(incident, town.community, local(22, 8), all_negative=True)
    assert _proposed(incident, at) == [sealed_b1]  # a round of the area above covers it


def test_switching_to_the_ninth_edition_shortens_the_clock_and_renames(
    town, incident, sealed_b1, np9
) -> None:
    record_area_round(incident, town.b1, local(14, 7), all_negative=True)
    assert _proposed(incident, local(14, 12)) == []  # np-8 needs 14 days; it has been 7
    switch_policy(incident, np9)
    sealed_b1.refresh_from_db()
    status = lifting_status(sealed_b1, local(14, 12))
    assert status.required_days == 7 and status.round_window_days == 1
    assert status.kind.name == "高风险区"
    assert status.target is not None and status.target.name == "中风险区"
    assert _proposed(incident, local(14, 12)) == [sealed_b1]
    # np-9 wants the negative round on the day itself.
    assert _proposed(incident, local(15, 12)) == []
    zone = effective_zone(town.h101, local(14, 12))
    assert zone is not None and zone.name == "高风险区"


def test_accepting_downgrades_then_lifts_the_lowest(town, incident, sealed_b1, chief) -> None:
    record_area_round(incident, town.b1, local(21, 6), all_negative=True)
    lowered = accept_proposal(sealed_b1, at=local(21, 9), decided_by=chief)
    assert (lowered.kind, lowered.supersedes) == ("controlled", sealed_b1)
    assert "连续14天无新增阳性" in lowered.reason
    # The clock restarts with the new designation.
    assert _proposed(incident, local(22, 9)) == []
    record_area_round(incident, town.b1, local(35, 6), all_negative=True)  # 4 April
    prevention = accept_proposal(lowered, at=local(35, 9), decided_by=chief)
    assert prevention.kind == "prevention"
    record_area_round(incident, town.b1, local(49, 6), all_negative=True)
    lifted = accept_proposal(prevention, at=local(49, 9), decided_by=chief)
    assert lifted.pk == prevention.pk and lifted.effective_until == local(49, 9)
    assert effective_zone(town.h101, local(49, 10)) is None


def test_dismissed_until_a_newer_negative_round(town, incident, sealed_b1, chief) -> None:
    record_area_round(incident, town.b1, local(21, 6), all_negative=True)
    dismiss_proposal(sealed_b1, at=local(21, 10), decided_by=chief, note="再观察一天")
    assert _proposed(incident, local(21, 11)) == []
    with pytest.raises(ZoneError):
        accept_proposal(sealed_b1, at=local(21, 11), decided_by=chief)
    record_area_round(incident, town.b1, local(22, 6), all_negative=True)
    assert _proposed(incident, local(22, 7)) == [sealed_b1]
