"""A child under the edition's age may bring one family companion, who is isolated too, in
the same room, and released with the child; an adult may not, nor may an elderly companion."""

import datetime as dt

import pytest

from tongxin.factories import household
from tongxin.isolation import factories as f
from tongxin.isolation.models import Level, Outcome, RoomType, Stay, StayStatus
from tongxin.isolation.services import IsolationError
from tongxin.isolation.services import batches as b
from tongxin.isolation.services.allocation import allocate_batch
from tongxin.isolation.services.transfer_list import add_companion

pytestmark = pytest.mark.django_db


@pytest.fixture
def family():
    home = household("阳光小区", "5", "501")
    return {
        "boy": f.resident(home, age=11, name="小明"),
        "mother": f.resident(home, age=38, name="妈妈"),
        "grandpa": f.resident(home, age=72, name="爷爷"),
    }


def test_the_companion_is_listed_and_shares_the_childs_room(inc, chief, site, family):
    boy = f.listed(inc, family["boy"], "secondary", by=chief)
    assert boy.is_minor
    companion = add_companion(chief, boy, family["mother"])
    assert companion.level == Level.COMPANION and companion.companion_of == boy

    batch = b.create_batch(
        chief, inc, site, [boy], vehicle_plate="浙H2", seats=5, planned_at=f.START
    )
    assert batch.members.count() == 2  # the companion travels with the child
    placements = allocate_batch(chief, batch)
    assert len({p.room for p in placements}) == 1
    stays = Stay.objects.filter(member__batch=batch)
    child_stay = stays.get(entry=boy)
    mother_stay = stays.get(entry=companion)
    assert mother_stay.companion_of == child_stay
    assert child_stay.room_type == RoomType.SINGLE
    # For separation the companion counts as the child's level.
    assert mother_stay.level == "secondary"


def test_only_one_companion_and_only_for_a_minor(inc, chief, family):
    boy = f.listed(inc, family["boy"], by=chief)
    mother = add_companion(chief, boy, family["mother"])
    assert mother.pk
    with pytest.raises(IsolationError, match="一名陪护"):
        add_companion(chief, boy, f.resident(age=40))
    adult = f.listed(inc, f.resident(age=30), by=chief)
    with pytest.raises(IsolationError, match="未成年人"):
        add_companion(chief, adult, f.resident(age=35))


def test_an_elderly_companion_is_refused(inc, chief, family):
    boy = f.listed(inc, family["boy"], by=chief)
    with pytest.raises(IsolationError, match="老年人"):
        add_companion(chief, boy, family["grandpa"])


def test_the_age_comes_from_the_edition(inc, chief, family):
    edition = inc.policy_edition
    edition.rules["isolation"]["minor_companion_age"] = 10
    edition.save()
    boy = f.listed(inc, family["boy"], by=chief)
    assert not boy.is_minor
    with pytest.raises(IsolationError, match="10 周岁"):
        add_companion(chief, boy, family["mother"])


def test_released_together(inc, chief, escort, site_staff, site, family, monkeypatch):
    from tongxin.isolation.services import stays as s

    boy = f.listed(inc, family["boy"], by=chief)
    add_companion(chief, boy, family["mother"])
    batch = b.create_batch(
        chief, inc, site, [boy], vehicle_plate="浙H2", seats=5, planned_at=f.START, escort=escort
    )
    allocate_batch(chief, batch)
    for m in batch.members.all():
        b.record_outcome(escort, m, Outcome.BOARDED)
    b.receive(site_staff, batch, [m.pk for m in batch.members.all()])
    child = Stay.objects.get(entry=boy)
    monkeypatch.setattr(s, "final_test_check", lambda stay, last: "")
    s.release(site_staff, child, at=f.START + dt.timedelta(days=15))
    assert set(Stay.objects.values_list("status", flat=True)) == {StayStatus.RELEASED}
