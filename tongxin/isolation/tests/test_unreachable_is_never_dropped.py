"""An unreachable person gets a contact log, is escalated to the grid and the command post
after the configured minutes (once), and goes back onto the transfer list: nobody disappears."""

import datetime as dt

import pytest

from tongxin.factories import UnitFactory, UserFactory, assign, household
from tongxin.isolation import factories as f
from tongxin.isolation.models import ContactAttempt, EntryStatus, Outcome
from tongxin.isolation.services import IsolationError
from tongxin.isolation.services import batches as b
from tongxin.isolation.services.transfer_list import transfer_list
from tongxin.notifications.models import Message

pytestmark = pytest.mark.django_db


@pytest.fixture
def setup(inc, chief, escort, site):
    home = household("阳光小区", "3", "302")
    grid_unit = UnitFactory(name="县水利局")
    assign(grid_unit, home.parent.parent)  # the estate
    grid = UserFactory(role="grid_staff", unit=grid_unit)
    granny = f.resident(home, age=82, name="独居奶奶")
    entry = f.listed(inc, granny, by=chief, elderly_alone=True)
    batch = b.create_batch(
        chief, inc, site, [entry], vehicle_plate="浙H00001", seats=10, planned_at=f.START,
        escort=escort,
    )  # fmt: skip
    return batch, batch.members.get(), grid


def test_unreachable_needs_a_contact_log(setup, escort):
    _batch, member, _grid = setup
    with pytest.raises(IsolationError, match="联系经过"):
        b.record_outcome(escort, member, Outcome.UNREACHABLE, "电话无人接")
    b.log_contact(escort, member, "call", "两次无人接听")
    b.log_contact(escort, member, "relative", "联系到在厦门的儿子，正在劝说")
    b.record_outcome(escort, member, Outcome.UNREACHABLE, "本人未应答")
    member.refresh_from_db()
    assert member.outcome == Outcome.UNREACHABLE
    assert member.contacts.count() == 2


def test_escalated_once_to_grid_and_command_post_after_the_minutes(setup, escort, chief, settings):
    _batch, member, grid = setup
    settings.TONGXIN_ISOLATION_ESCALATION_MINUTES = 30
    b.log_contact(escort, member, "knock", "无人应门", at=f.START)
    b.record_outcome(escort, member, Outcome.UNREACHABLE, "无人应门", at=f.START)

    assert b.escalate_unreachable(now=f.START + dt.timedelta(minutes=29)) == 0
    assert b.escalate_unreachable(now=f.START + dt.timedelta(minutes=31)) == 1
    assert b.escalate_unreachable(now=f.START + dt.timedelta(minutes=90)) == 0
    told = set(
        Message.objects.filter(notification__kind="transfer_unreachable").values_list(
            "user_id", flat=True
        )
    )
    assert {grid.pk, chief.pk} <= told


def test_after_closing_the_person_is_back_on_the_list_with_the_log(setup, escort, chief):
    batch, member, _grid = setup
    b.log_contact(escort, member, "police", "请派出所协助")
    b.record_outcome(escort, member, Outcome.UNREACHABLE, "仍联系不上")
    b.close_batch(chief, batch)

    member.entry.refresh_from_db()
    assert member.entry.status == EntryStatus.WAITING
    assert [e.name for e in transfer_list(chief, batch.incident)] == ["独居奶奶"]
    assert ContactAttempt.objects.filter(member=member).count() == 1


def test_she_agrees_at_two_in_the_morning(setup, escort, site_staff):
    batch, member, _grid = setup
    b.log_contact(escort, member, "call", "无人接")
    b.record_outcome(escort, member, Outcome.UNREACHABLE, "无人接")
    b.log_contact(escort, member, "relative", "儿子劝说后同意")
    b.record_outcome(escort, member, Outcome.BOARDED)
    b.receive(site_staff, batch, [member.pk])
    assert b.reconcile(batch).reconciles
