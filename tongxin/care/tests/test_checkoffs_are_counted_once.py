"""Check-offs on the driver's phone: pressing twice, or driver and escort pressing at once,
changes the passenger once and counts once."""

import datetime as dt
import threading

import pytest
from django.db import connection

from tongxin.accounts.models import Role, User
from tongxin.audit.models import AuditEvent
from tongxin.care.models import GreenRun, Hospital, PassengerStatus, RunPassenger
from tongxin.care.services import runs
from tongxin.care.services.registry import NotAllowed
from tongxin.factories import UserFactory

from .conftest import MONDAY, County, dialysis, resident


@pytest.fixture
def crew() -> tuple[User, User]:
    return (
        UserFactory(role=Role.SUPPORT_TEAM, full_name="司机老陈"),
        UserFactory(role=Role.SUPPORT_TEAM, full_name="随车医生"),
    )


@pytest.fixture
def run(county: County, hospital: Hospital, crew: tuple[User, User]) -> GreenRun:
    dialysis(resident(county.sunny_101, "甲"), hospital, "1")
    dialysis(resident(county.sunny_201, "乙"), hospital, "1")
    (run,) = runs.plan_runs(MONDAY).runs
    run.driver, run.escort = crew
    run.save()
    return run


def _first(run: GreenRun) -> RunPassenger:
    return run.passengers.order_by("id").first()  # type: ignore[return-value]


@pytest.mark.django_db
def test_driver_and_escort_ticking_the_same_passenger_count_once(
    run: GreenRun, crew: tuple[User, User]
) -> None:
    driver, escort = crew
    p = _first(run)
    t = dt.datetime(2022, 3, 7, 6, 40, tzinfo=dt.UTC)

    _done, changed = runs.check_off(driver, p.pk, runs.Stage.PICKUP, now=t)
    again, changed_again = runs.check_off(
        escort, p.pk, runs.Stage.PICKUP, now=t + dt.timedelta(seconds=1)
    )

    assert (changed, changed_again) == (True, False)
    assert (again.status, again.picked_up_at, again.picked_up_by) == (
        PassengerStatus.PICKED_UP,
        t,
        driver,
    )
    run.refresh_from_db()
    assert run.picked_up_count == 1
    events = AuditEvent.objects.filter(
        target_type="care.runpassenger", target_id=str(p.pk), action="update"
    )
    assert [e.changes["status"] for e in events] == [["planned", "picked_up"]]

    # At the hospital, then a mis-tap undone twice: the counters never go below what is true.
    runs.check_off(escort, p.pk, runs.Stage.ARRIVAL)
    runs.check_off(driver, p.pk, runs.Stage.ARRIVAL)
    run.refresh_from_db()
    assert (run.picked_up_count, run.arrived_count) == (1, 1)
    runs.check_off(driver, p.pk, runs.Stage.UNDO)
    run.refresh_from_db()
    assert (run.picked_up_count, run.arrived_count) == (1, 0)
    assert RunPassenger.objects.get(pk=p.pk).status == PassengerStatus.PICKED_UP


@pytest.mark.django_db
def test_a_patient_driven_in_by_family_arrives_without_a_pickup(
    run: GreenRun, crew: tuple[User, User]
) -> None:
    p = _first(run)
    _, changed = runs.check_off(crew[1], p.pk, runs.Stage.ARRIVAL)
    assert changed
    run.refresh_from_db()
    assert (run.picked_up_count, run.arrived_count) == (0, 1)
    runs.check_off(crew[1], p.pk, runs.Stage.UNDO)
    assert RunPassenger.objects.get(pk=p.pk).status == PassengerStatus.PLANNED


@pytest.mark.django_db
def test_only_the_crew_or_planners_check_off(run: GreenRun, county: County) -> None:
    stranger = UserFactory(role=Role.SUPPORT_TEAM)
    with pytest.raises(Exception) as refused:
        runs.check_off(stranger, _first(run).pk, runs.Stage.PICKUP)
    assert refused.type.__name__ == "Http404"
    helpdesk = UserFactory(role=Role.HELPDESK)  # sees runs (county-wide) but does not drive them
    with pytest.raises(NotAllowed):
        runs.check_off(helpdesk, _first(run).pk, runs.Stage.PICKUP)
    run.refresh_from_db()
    assert run.picked_up_count == 0


@pytest.mark.django_db(transaction=True)
def test_two_phones_at_once_count_once(run: GreenRun, crew: tuple[User, User]) -> None:
    if connection.vendor == "sqlite" and connection.is_in_memory_db():
        # The shared in-memory test database fails a second writer at once ("table is
        # locked") instead of making it wait; a file database or PostgreSQL waits.
        pytest.skip("needs a database that lets two connections wait on each other")
    p = _first(run)
    barrier = threading.Barrier(2)
    outcomes: list[bool] = []

    def tick(user: User) -> None:
        try:
            barrier.wait(timeout=5)
            outcomes.append(runs.check_off(user, p.pk, runs.Stage.PICKUP)[1])
        finally:
            connection.close()

    threads = [threading.Thread(target=tick, args=(u,)) for u in crew]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=30)
    assert sorted(outcomes) == [False, True]
    run.refresh_from_db()
    assert run.picked_up_count == 1
