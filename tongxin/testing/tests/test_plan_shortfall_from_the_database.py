"""A round that cannot finish says how many more samplers or hours (hand-computed)."""

import pytest

from tongxin.testing.services.plans import check_plan, make_plan

from .conftest import residents

pytestmark = pytest.mark.django_db


def test_twelve_hours_at_two_an_hour_leave_four_people_over(slow_round, estates, chief) -> None:
    # One sampler × 2 an hour × 12 hours = 24 people. Add 3幢 up to 20: 4 + 2 + 20 = 26 people.
    residents(estates.h301, 18)
    made = make_plan(slow_round, by=chief)
    summary = made.plan.summary
    assert not made.plan.feasible
    (point,) = summary["points"].values()
    # 1幢 07–09, 2幢 09–10, 3幢 needs 10 hours from 10:00: past 19:00, so left over.
    assert (point["people"], point["capacity"], point["unplaced_people"]) == (26, 24, 20)
    # 20 people ÷ (2 × 12 h) → 1 more sampler; 20 ÷ (1 × 2) → 10 more hours.
    assert (summary["extra_samplers"], summary["extra_hours"]) == (1, 10)
    codes = [w.code for w in check_plan(slow_round)]
    assert codes == ["unplaced"]
