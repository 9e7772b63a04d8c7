"""Moving a building by hand re-checks the point's capacity and warns; it does not refuse."""

import datetime as dt

import pytest

from tongxin.testing.models import PlanSlot
from tongxin.testing.services.plans import check_plan, make_plan, move_slot
from tongxin.testing.services.rounds import attach_point, create_point

from .conftest import local

pytestmark = pytest.mark.django_db


def _slot(round_, building) -> PlanSlot:
    return PlanSlot.objects.select_related("round", "place").get(round=round_, place=building)


def test_moving_onto_a_busy_window_warns_of_the_queue(slow_round, estates, chief) -> None:
    make_plan(slow_round, by=chief)
    slot = _slot(slow_round, estates.b3)
    rp = slot.round_point
    moved = move_slot(slot, rp, local(6, 7), by=chief)
    # 07:00–08:00: 1幢 arrives at 2/h and 3幢 at 2/h against 2/h: 2 people queue.
    assert (moved.slot.starts_at, moved.slot.ends_at, moved.slot.by_hand) == (
        local(6, 7),
        local(6, 8),
        True,
    )
    (warning,) = moved.warnings
    assert warning.code == "overload"
    assert "03-06 07:00–08:00" in warning.message and "4 人" in warning.message
    assert "约 2 人需排队" in warning.message
    assert slow_round.plan.__class__.objects.get(round=slow_round).adjusted_at is not None


def test_moving_past_closing_time_and_the_deadline_warns(slow_round, estates, chief) -> None:
    make_plan(slow_round, by=chief)
    slot = _slot(slow_round, estates.b2)
    moved = move_slot(slot, slot.round_point, local(6, 18, 30), by=chief)
    assert sorted(w.code for w in moved.warnings) == ["closed", "deadline"]


def test_moving_to_a_point_that_serves_elsewhere_warns(slow_round, estates, chief) -> None:
    make_plan(slow_round, by=chief)
    other = create_point("幸福小区采样点", estates.happy, dt.time(7), dt.time(19), 2)
    from tongxin.testing.services.rounds import add_area

    add_area(slow_round, estates.happy)
    rp = attach_point(slow_round, other, serves=[estates.happy])
    slot = _slot(slow_round, estates.b2)
    moved = move_slot(slot, rp, local(6, 12), by=chief)
    assert [w.code for w in moved.warnings] == ["not_served"]
    # At two samplers the same two people take half the time.
    assert moved.slot.ends_at == local(6, 12, 30)


def test_a_clean_move_has_no_warnings(slow_round, estates, chief) -> None:
    make_plan(slow_round, by=chief)
    slot = _slot(slow_round, estates.b3)
    moved = move_slot(slot, slot.round_point, local(6, 15), by=chief)
    assert moved.warnings == []
    assert check_plan(slow_round) == []
