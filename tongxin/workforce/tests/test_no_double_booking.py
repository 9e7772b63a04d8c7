import threading

import pytest
from django.db import connection

from tongxin.workforce.factories import MemberFactory, make_post, make_shift
from tongxin.workforce.models import Assignment
from tongxin.workforce.services import WorkforceError
from tongxin.workforce.services.shifts import assign

from .conftest import local


@pytest.mark.django_db
def test_overlapping_shifts_refused_back_to_back_allowed(incident, team, town) -> None:
    member = MemberFactory(incident=incident, team=team, name="张采样")
    a = make_shift(make_post(incident, "一号点", place=town.sunny), local(6, 5), 5)
    b = make_shift(make_post(incident, "二号点", place=town.sunny), local(6, 9), 4)
    c = make_shift(make_post(incident, "三号点", place=town.sunny), local(6, 10), 4)
    assign(a, member, "sampling")
    with pytest.raises(WorkforceError, match=r"一号点.*重叠"):
        assign(b, member, "sampling")
    assign(c, member, "sampling")  # starts when the first ends
    assert Assignment.objects.filter(member=member).count() == 2


@pytest.mark.django_db
def test_qualification_is_required(incident, team, town) -> None:
    member = MemberFactory(incident=incident, team=team, qualifications=["driver"])
    shift = make_shift(make_post(incident, place=town.sunny), local(6, 5))
    with pytest.raises(WorkforceError, match="没有“采样”资质"):
        assign(shift, member, "sampling")


@pytest.mark.django_db(transaction=True)
def test_two_people_assigning_one_member_at_once_book_one_shift(incident, team, town) -> None:
    if connection.vendor == "sqlite":
        pytest.skip("needs a database that lets two connections wait on each other (PostgreSQL)")
    member = MemberFactory(incident=incident, team=team)
    shifts = [
        make_shift(make_post(incident, f"{n}号点", place=town.sunny), local(6, 5 + n), 5)
        for n in range(2)
    ]
    barrier = threading.Barrier(2)
    outcomes: list[str] = []

    def book(shift) -> None:
        try:
            barrier.wait(timeout=5)
            assign(shift, member, "sampling")
            outcomes.append("ok")
        except WorkforceError:
            outcomes.append("refused")
        finally:
            connection.close()

    threads = [threading.Thread(target=book, args=(s,)) for s in shifts]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=30)
    assert sorted(outcomes) == ["ok", "refused"]
    assert Assignment.objects.filter(member=member).count() == 1
