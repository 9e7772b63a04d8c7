"""An impossible round says how many more samplers or hours it needs (numbers by hand)."""

import datetime as dt

from tongxin.testing.planner import Point, Unit, plan

CST = dt.timezone(dt.timedelta(hours=8))
OPEN = ((dt.datetime(2022, 3, 6, 8, tzinfo=CST), dt.datetime(2022, 3, 6, 18, tzinfo=CST)),)


def test_nine_hundred_people_at_one_point_of_two_samplers_in_ten_hours() -> None:
    # 2 samplers × 30 an hour × 10 hours = 600 people; 9 buildings of 100 = 900 people.
    # Each building takes 100 min, so 6 fit (08:00–18:00) and 3 (300 people) do not.
    # More samplers: 300 ÷ (30 × 10) = 1. More hours: 300 ÷ (2 × 30) = 5.
    units = [Unit(key=i, path=f"0001000100010001{i:04d}", people=100) for i in range(9)]
    result = plan(units, [Point(key=1, samplers=2, intervals=OPEN)], per_sampler_hour=30)
    load = result.loads[1]
    assert not result.feasible
    assert (load.people, load.capacity, load.unplaced_people, load.unplaced_units) == (
        900,
        600,
        300,
        3,
    )
    assert (load.extra_samplers, load.extra_hours) == (1, 5)
    assert (result.extra_samplers, result.extra_hours) == (1, 5)
    assert result.placed_people == 600


def test_with_the_extra_sampler_it_fits() -> None:
    units = [Unit(key=i, path=f"0001000100010001{i:04d}", people=100) for i in range(9)]
    result = plan(units, [Point(key=1, samplers=3, intervals=OPEN)], per_sampler_hour=30)
    assert result.feasible and result.placed_people == 900


def test_two_points_short_add_up_and_the_slowest_sets_the_hours() -> None:
    # Point 1 serves 1,000 (capacity 600: short 400 → 2 samplers or 7 hours);
    # point 2 serves 700 with 1 sampler (capacity 300: short 400 → 2 samplers or 14 hours).
    a = [
        Unit(key=i, path=f"00010001000100010001{i:04d}", people=100, serving=(1,))
        for i in range(10)
    ]
    b = [
        Unit(key=100 + i, path=f"00010001000100020001{i:04d}", people=100, serving=(2,))
        for i in range(7)
    ]
    points = [Point(key=1, samplers=2, intervals=OPEN), Point(key=2, samplers=1, intervals=OPEN)]
    result = plan(a + b, points)
    assert (result.loads[1].extra_samplers, result.loads[1].extra_hours) == (2, 7)
    assert (result.loads[2].extra_samplers, result.loads[2].extra_hours) == (2, 14)
    assert (result.extra_samplers, result.extra_hours) == (4, 14)


def test_a_round_without_points_leaves_everyone_unplaced() -> None:
    result = plan([Unit(key=1, path="00010001", people=10)], [])
    assert not result.feasible and [u.key for u in result.orphans] == [1]
