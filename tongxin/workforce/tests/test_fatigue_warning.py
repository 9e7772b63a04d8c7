import datetime as dt

import pytest

from tongxin.workforce.factories import MemberFactory
from tongxin.workforce.models import Attendance
from tongxin.workforce.services.attendance import fatigue, stretch_hours

from .conftest import local

H = dt.timedelta(hours=1)


def test_a_short_break_does_not_end_the_stretch() -> None:
    t = local(6, 5)
    # 05:00–10:00, 1 h break, 11:00–19:00: 13 hours without a 6-hour rest.
    periods = [(t, t + 5 * H), (t + 6 * H, t + 14 * H)]
    assert stretch_hours(periods, t + 14 * H, 6 * H) == 13


def test_a_long_rest_starts_a_new_stretch() -> None:
    t = local(6, 5)
    periods = [(t, t + 10 * H), (t + 17 * H, t + 20 * H)]
    assert stretch_hours(periods, t + 20 * H, 6 * H) == 3


def test_an_open_check_in_counts_until_now() -> None:
    t = local(6, 5)
    assert stretch_hours([(t, None)], t + 7 * H, 6 * H) == 7


@pytest.mark.django_db
def test_twenty_hours_a_day_is_noticed(incident, team, town) -> None:
    """The report's cadres worked 20 hours a day: the warning fires past the edition's 12."""
    from tongxin.workforce.factories import make_post

    member = MemberFactory(incident=incident, team=team)
    post = make_post(incident, place=town.sunny)
    t = local(6, 4)
    Attendance.objects.create(
        member=member, post=post, checked_in_at=t, checked_out_at=t + 9 * H, client_id_in="a"
    )
    Attendance.objects.create(
        member=member, post=post, checked_in_at=t + 10 * H, checked_out_at=t + 20 * H,
        client_id_in="b",
    )  # fmt: skip
    tired = fatigue(member, t + 20 * H)
    assert tired.hours == 19
    assert tired.warning
    assert "19.0" in tired.message()
    # After 8 hours' sleep a new 3-hour stretch is fine.
    Attendance.objects.create(member=member, post=post, checked_in_at=t + 28 * H, client_id_in="c")
    rested = fatigue(member, t + 31 * H)
    assert rested.hours == 3
    assert not rested.warning
