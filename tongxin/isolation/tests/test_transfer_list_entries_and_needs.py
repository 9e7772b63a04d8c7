"""The transfer list: entries by hand and from risk-area arrivals keep reason, level, source
and the edition's rule; needs come from the care registry (dialysis, pregnancy); a household
travels together; a level the edition keeps at home is refused."""

import datetime as dt

import pytest

from tongxin.care.models import CareNeed, NeedKind
from tongxin.factories import UserFactory, household
from tongxin.isolation import factories as f
from tongxin.isolation.models import EntryStatus, Source
from tongxin.isolation.services import IsolationError, NotAllowed
from tongxin.isolation.services import batches as b
from tongxin.isolation.services.transfer_list import (
    add_arrival,
    entry_dict,
    households,
    transfer_list,
)

pytestmark = pytest.mark.django_db


def test_entry_keeps_reason_level_source_and_rule(inc, chief):
    entry = f.listed(inc, f.resident(), "close", by=chief)
    assert (entry.level, entry.source, entry.reason) == ("close", Source.MANUAL, "与病例同住")
    assert entry.edition_code == "np-8" and entry.rule["centralized_days"] == 14
    data = entry_dict(entry)
    assert data["document_masked"] == entry.document_masked and "*" in data["document_masked"]


def test_an_arrival_from_a_risk_area(inc, chief):
    arrived = dt.datetime(2022, 3, 5, 6, 0, tzinfo=dt.UTC)
    entry = add_arrival(chief, inc, f.resident(), origin="上海市浦东新区", arrived_at=arrived)
    assert entry.source == Source.ARRIVAL and entry.level == "arrival"
    assert "上海市浦东新区" in entry.reason and entry.last_exposure == arrived


def test_needs_from_the_care_registry(inc, chief):
    person = f.resident()
    CareNeed.objects.create(person=person, kind=NeedKind.DIALYSIS)
    CareNeed.objects.create(person=person, kind=NeedKind.CHRONIC, medicine="降压药")
    entry = f.listed(inc, person, by=chief, pets="猫一只，邻居喂养")
    assert entry.dialysis and entry.chronic_medicine == "降压药"
    assert {"血透", "慢病用药", "宠物"} <= set(entry.need_labels())


def test_a_household_travels_together(inc, chief, site):
    home = household("阳光小区", "2", "201")
    a = f.listed(inc, f.resident(home), by=chief)
    c = f.listed(inc, f.resident(home), by=chief)
    alone = f.listed(inc, f.resident(household("阳光小区", "2", "202")), by=chief)
    groups = households(transfer_list(chief, inc))
    assert sorted(len(g) for g in groups) == [1, 2]
    batch = b.create_batch(chief, inc, site, [a], vehicle_plate="浙H", seats=2, planned_at=f.START)
    assert set(batch.members.values_list("entry_id", flat=True)) == {a.pk, c.pk}
    assert len(set(batch.members.values_list("stop", flat=True))) == 1
    alone.refresh_from_db()
    assert alone.status == EntryStatus.WAITING


def test_seats_are_not_exceeded(inc, chief, site):
    home = household("阳光小区", "2", "201")
    entries = [f.listed(inc, f.resident(home), by=chief) for _ in range(3)]
    with pytest.raises(IsolationError, match="超过车辆座位数"):
        b.create_batch(chief, inc, site, entries[:1], vehicle_plate="浙H", seats=2,
                       planned_at=f.START)  # fmt: skip


def test_secondary_contacts_stay_home_under_the_ninth(inc9, chief):
    with pytest.raises(IsolationError, match="居家隔离"):
        f.listed(inc9, f.resident(), "secondary", by=chief)


def test_only_planners_add(inc):
    grid = UserFactory(role="grid_staff")
    with pytest.raises(NotAllowed):
        f.listed(inc, f.resident(), by=grid)


def test_twice_is_refused(inc, chief):
    person = f.resident()
    f.listed(inc, person, by=chief)
    with pytest.raises(IsolationError, match="已在转运名单中"):
        f.listed(inc, person, by=chief)


def test_listed_again_after_a_cancelled_or_finished_entry(inc, chief):
    from tongxin.isolation.services.transfer_list import cancel_entry

    person = f.resident()
    first = f.listed(inc, person, by=chief)
    cancel_entry(chief, first, "误报")
    second = f.listed(inc, person, by=chief)
    second.status = EntryStatus.ISOLATED  # taken in and released since
    second.save()
    assert f.listed(inc, person, by=chief).pk not in (first.pk, second.pk)
