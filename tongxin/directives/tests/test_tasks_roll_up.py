import datetime as dt
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from tongxin.accounts.models import Role, User
from tongxin.directives import services
from tongxin.directives.models import DirectiveTarget, TargetStatus, TaskStatus
from tongxin.factories import UserFactory, household
from tongxin.incidents.models import Incident
from tongxin.notifications.models import Message

from .conftest import T0, Team

pytestmark = pytest.mark.django_db


@pytest.fixture
def target(incident: Incident, chief: User, water: Team) -> DirectiveTarget:
    directive = services.issue_directive(
        incident=incident, issued_by=chief, title="统计配药需求", text="按楼幢统计",
        units=[water.unit], deadline=T0 + dt.timedelta(days=1), number_label="需配药人数",
        requires_photo=True, now=T0,
    )  # fmt: skip
    return directive.targets.get()


def test_staff_reports_roll_up_into_the_units_report(target: DirectiveTarget, water: Team) -> None:
    b1 = household("阳光小区", "1", "101").parent
    b2 = household("阳光小区", "2", "201").parent
    cadre2 = UserFactory(role=Role.GRID_STAFF, unit=water.unit)
    t1 = services.assign_task(target, water.leader, water.staff, place=b1, note="逐户电话",
                              now=T0 + dt.timedelta(minutes=5))  # fmt: skip
    t2 = services.assign_task(target, water.leader, cadre2, place=b2, now=T0)
    target.refresh_from_db()
    assert target.status == TargetStatus.IN_PROGRESS
    assert Message.objects.filter(
        user=cadre2, notification__kind="directive_task_assigned"
    ).exists()
    with pytest.raises(services.AlreadyDone):
        services.assign_task(target, water.leader, cadre2, place=b2)

    photo = SimpleUploadedFile("a.jpg", b"jpeg", content_type="image/jpeg")
    services.report_task(t1, water.staff, text="3户需配药", number=Decimal(3), photo=photo)
    with pytest.raises(services.DirectiveError):
        services.report_task(t2, water.staff, text="不是我的任务")
    services.report_task(t2, cadre2, text="5户需配药", number=Decimal(5))

    rolled = services.rollup(target)
    assert (rolled.total, rolled.done, rolled.number) == (2, 2, Decimal(8))
    assert rolled.text.splitlines() == [
        f"1幢 {water.staff}：3户需配药",
        f"2幢 {cadre2}：5户需配药",
    ]
    assert len(rolled.photos) == 1
    t1.refresh_from_db()
    assert t1.status == TaskStatus.DONE

    # The staff photo satisfies the directive's photo requirement.
    services.complete(target, water.leader, text=rolled.text, number=rolled.number)
    target.refresh_from_db()
    assert target.status == TargetStatus.COMPLETED and target.report_number == Decimal(8)


def test_only_a_unit_leader_assigns_and_only_to_own_staff(
    target: DirectiveTarget, water: Team, health: Team
) -> None:
    with pytest.raises(services.DirectiveError):
        services.assign_task(target, water.staff, water.staff)
    with pytest.raises(services.DirectiveError):
        services.assign_task(target, water.leader, health.staff)
    elsewhere = household("幸福小区", "9", "901").parent
    with pytest.raises(services.DirectiveError):
        services.assign_task(target, water.leader, water.staff, place=elsewhere)
    assert not target.tasks.exists()
