"""The stay snapshots the edition at intake (8th: 14 days, tests on days 1, 4, 7, 14; 9th:
7 days, tests on days 1, 2, 3, 5, 7); a new last exposure recalculates the end date and keeps
its history; switching the edition later does not change a stay already begun."""

import datetime as dt

import pytest

from tongxin.factories import household
from tongxin.incidents.services import switch_policy
from tongxin.isolation import factories as f
from tongxin.isolation.models import Outcome, Stay
from tongxin.isolation.services import batches as b
from tongxin.isolation.services.stays import change_entry_exposure, schedule_dates

pytestmark = pytest.mark.django_db

EXPOSED = dt.datetime(2022, 3, 4, 2, 0, tzinfo=dt.UTC)  # 2022-03-04 10:00 in the county


def _admit(inc, chief, escort, site_staff, site, level="close"):
    entry = f.listed(inc, f.resident(household("阳光小区", "1", "1")), level, exposure=EXPOSED)
    batch = b.create_batch(
        chief, inc, site, [entry], vehicle_plate="浙H3", seats=5, planned_at=f.START,
        escort=escort,
    )  # fmt: skip
    member = batch.members.get()
    b.record_outcome(escort, member, Outcome.BOARDED)
    b.receive(site_staff, batch, [member.pk], at=f.START)
    return Stay.objects.get(entry=entry)


def test_eighth_edition_schedule(inc, chief, escort, site_staff, site):
    stay = _admit(inc, chief, escort, site_staff, site)
    assert stay.ends_on == dt.date(2022, 3, 18)
    assert [d.day for d in schedule_dates(stay)] == [5, 8, 11, 18]
    assert stay.rules["home_days"] == 7


def test_ninth_edition_schedule(inc9, chief, escort, site_staff, site):
    stay = _admit(inc9, chief, escort, site_staff, site)
    assert stay.ends_on == dt.date(2022, 3, 11)
    assert [d.day for d in schedule_dates(stay)] == [5, 6, 7, 9, 11]
    assert stay.rules["home_days"] == 3


def test_a_new_exposure_moves_the_end_date_and_keeps_the_history(
    inc, chief, escort, site_staff, site
):
    stay = _admit(inc, chief, escort, site_staff, site)
    later = EXPOSED + dt.timedelta(days=3)
    change_entry_exposure(stay.entry, later, "流调发现新的传播源")
    stay.refresh_from_db()
    assert stay.ends_on == dt.date(2022, 3, 21)
    history = list(stay.changes.values_list("previous_ends_on", "ends_on", "reason"))
    assert history[0][1] == dt.date(2022, 3, 18)
    assert history[-1] == (dt.date(2022, 3, 18), dt.date(2022, 3, 21), "流调发现新的传播源")


def test_switching_the_edition_does_not_change_a_stay_begun(inc, chief, escort, site_staff, site):
    stay = _admit(inc, chief, escort, site_staff, site)
    switch_policy(inc, f.edition("np-9"))
    change_entry_exposure(stay.entry, EXPOSED + dt.timedelta(days=1), "更正")
    stay.refresh_from_db()
    assert stay.edition_code == "np-8"
    assert stay.ends_on == dt.date(2022, 3, 19)  # 14 days, the 8th edition's
