"""Team members claim requests; two claiming the same request at once cannot both succeed."""

import datetime as dt
import threading

import pytest
from django.db import connection

from tongxin.audit.models import AuditEvent
from tongxin.helpdesk.models import EventKind, HelpRequest, Status
from tongxin.helpdesk.services import AlreadyDone, HelpdeskError, claim, dispatch

from .conftest import T0, Team, ask

pytestmark = pytest.mark.django_db


@pytest.fixture
def dispatched(desk, supplies: Team) -> HelpRequest:
    request = ask("家里没菜了", at=T0)
    return dispatch(request, supplies.unit, desk, now=T0 + dt.timedelta(minutes=3))


def test_the_second_of_two_simultaneous_claims_is_told_who_won(
    dispatched: HelpRequest, supplies: Team
) -> None:
    # Both loaded the list (and the row, unclaimed) before either pressed "认领".
    seen_by_a = HelpRequest.objects.get(pk=dispatched.pk)
    seen_by_b = HelpRequest.objects.get(pk=dispatched.pk)

    claim(seen_by_a, supplies.a, now=T0 + dt.timedelta(minutes=5))
    with pytest.raises(AlreadyDone) as lost:
        claim(seen_by_b, supplies.b, now=T0 + dt.timedelta(minutes=5, seconds=1))
    assert "张队员" in str(lost.value) and "认领" in str(lost.value)

    dispatched.refresh_from_db()
    assert (dispatched.claimed_by, dispatched.status) == (supplies.a, Status.CLAIMED)
    assert dispatched.events.filter(kind=EventKind.CLAIMED).count() == 1
    audited = AuditEvent.objects.filter(
        target_type="helpdesk.helprequest", target_id=str(dispatched.pk), action="update"
    )
    assert [e.changes["claimed_by"] for e in audited if "claimed_by" in e.changes] == [
        [None, "张队员"]
    ]


def test_only_the_team_it_was_dispatched_to_can_claim(
    dispatched: HelpRequest, medical: Team, desk
) -> None:
    for outsider in (medical.a, desk):
        with pytest.raises(HelpdeskError):
            claim(dispatched, outsider)
    dispatched.refresh_from_db()
    assert dispatched.claimed_by is None


@pytest.mark.django_db(transaction=True)
def test_two_threads_claiming_at_once_leave_one_claim(desk, supplies: Team) -> None:
    if connection.vendor == "sqlite":
        pytest.skip(
            "the shared in-memory SQLite test database fails a second writer at once instead "
            "of making it wait; on PostgreSQL both UPDATEs race for the row for real"
        )
    request = dispatch(ask(at=T0), supplies.unit, desk, now=T0 + dt.timedelta(minutes=1))
    barrier = threading.Barrier(2)
    outcomes: list[str] = []

    def press(user) -> None:  # type: ignore[no-untyped-def]
        try:
            stale = HelpRequest.objects.get(pk=request.pk)
            barrier.wait(timeout=5)
            claim(stale, user)
            outcomes.append("won")
        except AlreadyDone:
            outcomes.append("lost")
        finally:
            connection.close()

    threads = [threading.Thread(target=press, args=(u,)) for u in (supplies.a, supplies.b)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=30)
    assert sorted(outcomes) == ["lost", "won"]
    request.refresh_from_db()
    assert request.claimed_by in (supplies.a, supplies.b)
    assert request.events.filter(kind=EventKind.CLAIMED).count() == 1
