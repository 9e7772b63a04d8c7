"""The planner never tells more people to come to a point than its samplers can take."""

import datetime as dt
import itertools
import random

from tongxin.testing.planner import Point, Unit, open_intervals, overloads, plan

CST = dt.timezone(dt.timedelta(hours=8))


def at(hour: int, minute: int = 0, day: int = 6) -> dt.datetime:
    return dt.datetime(2022, 3, day, hour, minute, tzinfo=CST)


def _units(n: int, seed: int = 1) -> list[Unit]:
    rng = random.Random(seed)  # noqa: S311  (test data, not security)
    return [
        Unit(key=i, path=f"0001000100010001{i:04d}", people=rng.randint(20, 160)) for i in range(n)
    ]


def test_windows_at_a_point_never_overlap_and_never_outrun_the_samplers() -> None:
    points = [
        Point(key=1, samplers=3, intervals=((at(7), at(19)),), path="0001000100010001"),
        Point(key=2, samplers=5, intervals=((at(7), at(19)),), path="0001000100010001"),
    ]
    result = plan(_units(40), points, per_sampler_hour=30)
    rates = {p.key: p.rate(30) for p in points}
    windows = [
        (a.point, a.starts_at, a.ends_at, a.unit.people) for a in result.assignments if a.placed
    ]
    assert overloads(windows, rates) == []
    for point in points:
        mine = sorted((s, e) for k, s, e, _n in windows if k == point.key)
        for (_s1, e1), (s2, _e2) in itertools.pairwise(mine):
            assert e1 <= s2
        for s, e in mine:
            assert at(7) <= s < e <= at(19)
    # Every window is long enough for its people at that point's pace.
    for a in result.assignments:
        if a.placed:
            hours = (a.ends_at - a.starts_at).total_seconds() / 3600
            assert a.unit.people <= rates[a.point] * hours + 1e-9


def test_a_plan_that_fits_places_everyone_and_balances_points() -> None:
    points = [
        Point(key=k, samplers=4, intervals=((at(7), at(19)),), path="0001000100010001")
        for k in (1, 2)
    ]
    units = [Unit(key=i, path=f"0001000100010001{i:04d}", people=120) for i in range(10)]
    result = plan(units, points, per_sampler_hour=30)
    assert result.feasible and result.placed_people == 1200
    assert {load.units for load in result.loads.values()} == {5}
    # 120 people at 120 an hour: one hour each, back to back from 07:00.
    starts = sorted(a.starts_at for a in result.assignments if a.point == 1)
    assert starts == [at(7 + i) for i in range(5)]


def test_buildings_go_to_the_points_that_serve_them() -> None:
    points = [
        Point(key=1, samplers=2, intervals=((at(7), at(19)),)),
        Point(key=2, samplers=2, intervals=((at(7), at(19)),)),
    ]
    units = [
        Unit(key=1, path="00010001000100010001", people=50, serving=(2,)),
        Unit(key=2, path="00010001000100010002", people=50, serving=(2,)),
    ]
    result = plan(units, points)
    assert {a.point for a in result.assignments} == {2}


def test_nearest_point_by_the_place_tree_then_distance() -> None:
    points = [
        Point(key=1, samplers=2, intervals=((at(7), at(19)),), path="0001000100010001"),
        Point(key=2, samplers=2, intervals=((at(7), at(19)),), path="0001000100010002"),
        Point(
            key=3,
            samplers=2,
            intervals=((at(7), at(19)),),
            path="0001000100010002",
            lat=29.0,
            lng=118.5,
        ),
        Point(
            key=4,
            samplers=2,
            intervals=((at(7), at(19)),),
            path="0001000100010002",
            lat=29.2,
            lng=118.5,
        ),
    ]
    unit = Unit(key=9, path="00010001000100020003", people=30, lat=29.19, lng=118.5)
    (only,) = plan([unit], points).assignments
    assert only.point == 4


def test_opening_hours_and_the_overnight_case() -> None:
    start, end = at(20, day=5), at(20, day=6)
    day = open_intervals(dt.time(7), dt.time(19), start, end, CST)
    assert day == ((at(7), at(19)),)
    night = open_intervals(dt.time(18), dt.time(2), start, end, CST)
    assert night == ((at(20, day=5), at(2)), (at(18), at(20)))


def test_a_point_closed_at_noon_is_never_used_then() -> None:
    points = [Point(key=1, samplers=2, intervals=((at(7), at(12)), (at(14), at(18))))]
    units = [Unit(key=i, path=f"0001000100010001{i:04d}", people=100) for i in range(5)]
    result = plan(units, points)
    for a in result.assignments:
        assert a.placed
        assert a.ends_at <= at(12) or a.starts_at >= at(14)
