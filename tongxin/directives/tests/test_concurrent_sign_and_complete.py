import datetime as dt

import pytest

from tongxin.accounts.models import User
from tongxin.audit.models import AuditEvent
from tongxin.directives import services
from tongxin.directives.models import DirectiveTarget, TargetStatus
from tongxin.incidents.models import Incident

from .conftest import T0, Team

pytestmark = pytest.mark.django_db


@pytest.fixture
def target(incident: Incident, chief: User, water: Team) -> DirectiveTarget:
    directive = services.issue_directive(
        incident=incident, issued_by=chief, title="核查", text="核查独居老人",
        units=[water.unit], deadline=T0 + dt.timedelta(hours=5), now=T0,
    )  # fmt: skip
    return directive.targets.get()


def test_two_staff_signing_at_once_record_one_signature(target: DirectiveTarget, water: Team):
    # Both loaded the page (and the row) before either pressed the button.
    seen_by_leader = DirectiveTarget.objects.get(pk=target.pk)
    seen_by_staff = DirectiveTarget.objects.get(pk=target.pk)

    services.sign(seen_by_staff, water.staff, now=T0 + dt.timedelta(minutes=1))
    with pytest.raises(services.AlreadyDone) as lost:
        services.sign(seen_by_leader, water.leader, now=T0 + dt.timedelta(minutes=1, seconds=2))
    assert str(water.staff) in str(lost.value) and "签收" in str(lost.value)

    target.refresh_from_db()
    assert target.signed_by == water.staff
    assert target.signed_at == T0 + dt.timedelta(minutes=1)
    signed = AuditEvent.objects.filter(
        target_type="directives.directivetarget", target_id=str(target.pk), action="update"
    )
    assert [e.changes["status"] for e in signed] == [["issued", "signed"]]


def test_two_staff_completing_at_once_keep_the_first_report(target: DirectiveTarget, water: Team):
    # The leader named the staff member as this directive's completer; both may complete.
    services.name_completer(target, water.leader, water.staff)
    a = DirectiveTarget.objects.get(pk=target.pk)
    b = DirectiveTarget.objects.get(pk=target.pk)
    services.complete(a, water.staff, text="第一份报告", now=T0 + dt.timedelta(hours=1))
    with pytest.raises(services.AlreadyDone):
        services.complete(b, water.leader, text="第二份报告", now=T0 + dt.timedelta(hours=1))
    target.refresh_from_db()
    assert target.status == TargetStatus.COMPLETED
    assert (target.completed_by, target.report_text) == (water.staff, "第一份报告")
    # Completing without signing first counts as signing then.
    assert (target.signed_by, target.signed_at) == (water.staff, T0 + dt.timedelta(hours=1))


def test_only_the_units_own_staff_act_for_it(
    target: DirectiveTarget, health: Team, chief: User
) -> None:
    for stranger in (health.leader, chief):
        with pytest.raises(services.DirectiveError):
            services.sign(target, stranger)
    target.refresh_from_db()
    assert target.status == TargetStatus.ISSUED
