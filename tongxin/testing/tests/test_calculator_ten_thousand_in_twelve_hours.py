"""The report's question: how many points and samplers test 10,000 people in 12 hours."""

import pytest

from tongxin.testing.planner import estimate


def test_ten_thousand_people_in_twelve_hours() -> None:
    # 30 people per sampler-hour → 360 per sampler in 12 hours; 10,000 ÷ 360 = 27.8 → 28.
    # The guide's one point per 2,500 people → 4 points of 7 samplers.
    result = estimate(10_000, 12, per_sampler_hour=30, people_per_point=2500)
    assert (result.samplers, result.points, result.samplers_per_point) == (28, 4, 7)
    assert result.capacity >= 10_000


def test_with_six_samplers_a_point_it_takes_the_reports_five_points() -> None:
    result = estimate(10_000, 12, per_sampler_hour=30, samplers_per_point=6)
    assert (result.samplers, result.points, result.samplers_per_point) == (28, 5, 6)
    assert result.capacity == 10_800


def test_one_sampler_per_360_residents_for_a_twelve_hour_day() -> None:
    assert estimate(360, 12).samplers == 1
    assert estimate(361, 12).samplers == 2
    assert estimate(0, 12).points == 0


def test_nonsense_is_refused() -> None:
    with pytest.raises(ValueError):
        estimate(100, 0)
