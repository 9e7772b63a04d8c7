import datetime as dt

import pytest

from tongxin.workforce.factories import MemberFactory, make_post, make_shift
from tongxin.workforce.models import Attendance
from tongxin.workforce.services import WorkforceError
from tongxin.workforce.services.attendance import check_in, check_out, hours_worked
from tongxin.workforce.services.shifts import assign

from .conftest import local

pytestmark = pytest.mark.django_db


def test_check_in_by_code_for_the_shift_and_out_with_hours(incident, team, town) -> None:
    member = MemberFactory(incident=incident, team=team)
    post = make_post(incident, place=town.sunny)
    assign(make_shift(post, local(6, 5), 5), member, "sampling")

    done = check_in(member, post.code.lower(), client_id="in-1", at=local(6, 4, 40))
    assert done.attendance.post == post and not done.repeated
    again = check_in(member, post.code, client_id="in-1", at=local(6, 4, 41))
    assert again.repeated and again.attendance.pk == done.attendance.pk
    out = check_out(member, client_id="out-1", at=local(6, 10, 10))
    assert out.attendance.checked_out_at == local(6, 10, 10)
    assert check_out(member, client_id="out-1", at=local(6, 10, 12)).repeated
    assert Attendance.objects.count() == 1
    assert hours_worked(member) == 5.5


def test_no_check_in_without_a_shift_there_now(incident, team, town) -> None:
    member = MemberFactory(incident=incident, team=team)
    post = make_post(incident, place=town.sunny)
    other = make_post(incident, "二号点", place=town.sunny)
    assign(make_shift(post, local(6, 5), 5), member, "sampling")
    with pytest.raises(WorkforceError, match="没有当前班次"):
        check_in(member, other.code, client_id="x", at=local(6, 5))
    with pytest.raises(WorkforceError, match="没有当前班次"):
        check_in(member, post.code, client_id="y", at=local(6, 2))  # three hours early
    with pytest.raises(WorkforceError, match="岗位码不正确"):
        check_in(member, "NOPE", client_id="z", at=local(6, 5))


def test_one_open_check_in_at_a_time(incident, team, town) -> None:
    member = MemberFactory(incident=incident, team=team)
    a, b = make_post(incident, "一号点", place=town.sunny), make_post(incident, "二号点")
    assign(make_shift(a, local(6, 5), 5), member, "sampling")
    assign(make_shift(b, local(6, 10), 5), member, "sampling")
    check_in(member, a.code, client_id="1", at=local(6, 5))
    with pytest.raises(WorkforceError, match=r"一号点.*尚未签退"):
        check_in(member, b.code, client_id="2", at=local(6, 10) + dt.timedelta(minutes=1))
