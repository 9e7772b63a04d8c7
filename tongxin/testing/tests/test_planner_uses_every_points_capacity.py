"""A point given no list of places to serve helps the points of its estate that were given
one: five samplers never stand idle while the next gate runs past noon (issue 8, item 12)."""

import datetime as dt

from tongxin.testing.planner import Point, Unit, plan

CST = dt.timezone(dt.timedelta(hours=8))
ESTATE = "0001000100010001"


def at(hour: int, minute: int = 0) -> dt.datetime:
    return dt.datetime(2022, 3, 6, hour, minute, tzinfo=CST)


def test_a_point_serving_no_list_takes_people_from_a_busy_neighbour() -> None:
    open_all_day = ((at(7), at(19)),)
    north = Point(key=1, samplers=5, intervals=open_all_day, path=ESTATE, exclusive=True)
    office = Point(key=2, samplers=5, intervals=open_all_day, path=ESTATE)
    units = [Unit(key=i, path=f"{ESTATE}{i:04d}", people=100, serving=(1,)) for i in range(12)]
    result = plan(units, [north, office], per_sampler_hour=30)
    assert result.loads[2].people > 0
    assert result.loads[1].people + result.loads[2].people == 1200
    # 1,200 people at two points of 150 an hour: four hours, not eight.
    assert result.finishes_at <= at(11, 5)


def test_a_point_in_another_estate_is_not_drafted() -> None:
    open_all_day = ((at(7), at(19)),)
    north = Point(key=1, samplers=5, intervals=open_all_day, path=ESTATE, exclusive=True)
    far = Point(key=2, samplers=5, intervals=open_all_day, path="0001000100020001")
    units = [Unit(key=i, path=f"{ESTATE}{i:04d}", people=100, serving=(1,)) for i in range(3)]
    result = plan(units, [north, far], per_sampler_hour=30)
    assert result.loads[2].people == 0
