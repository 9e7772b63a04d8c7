"""Home isolation where the edition keeps a level at home (次密接 under the 9th): put on the
grid's home list by hand or from tracing, per household with the daily check-in (a real
temperature), the tests due and the door seal; finished watches end in the sweep."""

import datetime as dt

import pytest
from django.core.management import call_command

from tongxin.accounts.models import Role
from tongxin.factories import UnitFactory, UserFactory, assign, household
from tongxin.isolation import factories as f
from tongxin.isolation.models import HomeCheckIn, HomeWatch, TransferEntry
from tongxin.isolation.services import IsolationError
from tongxin.isolation.services.home import (
    check_in,
    feed_home_list_from_tracing,
    grid_list,
    set_door_seal,
)
from tongxin.isolation.services.transfer_list import list_person

pytestmark = pytest.mark.django_db

EXPOSED = dt.datetime(2022, 7, 1, 2, 0, tzinfo=dt.UTC)  # 2022-07-01 10:00 in the county


@pytest.fixture
def grid(db):
    home = household("阳光小区", "3", "301")
    unit = UnitFactory(name="阳光小区网格")
    assert home.parent is not None
    assign(unit, home.parent)
    return home, UserFactory(role=Role.GRID_STAFF, unit=unit)


def test_a_secondary_contact_under_the_9th_goes_home_not_to_a_site(inc9, chief, grid):
    home, grid_staff = grid
    mother = f.resident(home, name="母亲")
    son = f.resident(home, name="儿子", age=16)
    watches = [
        list_person(chief, inc9, p, level="secondary", reason="次密接", last_exposure=EXPOSED)
        for p in (mother, son)
    ]
    assert all(isinstance(w, HomeWatch) for w in watches)
    assert not TransferEntry.objects.exists()
    watch = watches[0]
    assert watch.kind == "home_isolation"
    assert (watch.starts_on, watch.ends_on) == (dt.date(2022, 7, 1), dt.date(2022, 7, 8))
    assert watch.test_dates == ["2022-07-02", "2022-07-05", "2022-07-08"]
    # Listing again keeps the one current watch.
    again = list_person(chief, inc9, mother, level="secondary", reason="次密接")
    assert again.pk == watch.pk

    # On the grid's list: one household, two people, day 1's test due.
    [group] = grid_list(grid_staff, dt.date(2022, 7, 2))
    assert group["household"] == home and len(group["people"]) == 2
    assert all(p["test_due"] and not p["checked_in"] for p in group["people"])
    check_in(grid_staff, watch, temperature="36.6", on=dt.date(2022, 7, 2))
    set_door_seal(grid_staff, watch, True)
    [group] = grid_list(grid_staff, dt.date(2022, 7, 2))
    assert group["door_sealed"]
    assert [p["checked_in"] for p in group["people"]] == [True, False]
    # Another grid sees nothing of it.
    other = UnitFactory(name="别的网格")
    assign(other, household("别的小区", "1", "1").parent)
    assert grid_list(UserFactory(role=Role.GRID_STAFF, unit=other), dt.date(2022, 7, 2)) == []


def test_under_the_8th_the_same_level_goes_to_the_transfer_list(inc, chief, grid):
    home, _grid_staff = grid
    listed = list_person(chief, inc, f.resident(home), level="secondary", reason="次密接")
    assert isinstance(listed, TransferEntry)
    assert not HomeWatch.objects.exists()


@pytest.mark.parametrize("typed", ["", "abc", "0", "NaN", "48.5"])
def test_a_check_in_needs_a_real_temperature(inc9, chief, grid, typed):
    home, grid_staff = grid
    watch = list_person(chief, inc9, f.resident(home), level="secondary", reason="次密接")
    with pytest.raises(IsolationError, match="体温"):
        check_in(grid_staff, watch, temperature=typed, on=dt.date(2022, 7, 2))
    assert not HomeCheckIn.objects.exists()


def test_finished_watches_end_in_the_sweep(inc9, chief, grid, capsys):
    home, _grid_staff = grid
    watch = list_person(
        chief, inc9, f.resident(home), level="secondary", reason="次密接", last_exposure=EXPOSED
    )
    call_command("isolation", "sweep", "--json")
    watch.refresh_from_db()
    assert watch.ended_at is not None  # 2022-07-08 is long past
    assert '"home_ended": 1' in capsys.readouterr().out


def test_tracing_feeds_the_home_list(inc9):
    """Tracing's confirmed contacts whose management is home isolation are put on the list."""
    from tongxin.tracing.models import Management

    person = f.resident(household("阳光小区", "5", "501"), name="次密接甲")
    Management.objects.create(
        incident=inc9, person=person, household=person.household, level="secondary",
        measure="home_isolation", status="due", last_exposure=EXPOSED, edition_code="np-9",
    )  # fmt: skip
    first = feed_home_list_from_tracing(inc9)
    assert first == {"added": 1, "already": 0, "skipped": 0}
    assert feed_home_list_from_tracing(inc9) == {"added": 0, "already": 1, "skipped": 0}
    watch = HomeWatch.objects.get(person=person)
    assert watch.ends_on == dt.date(2022, 7, 8)
