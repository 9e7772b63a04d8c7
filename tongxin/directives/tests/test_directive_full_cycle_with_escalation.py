import datetime as dt
from decimal import Decimal
from typing import Any

import pytest

from tongxin.accounts.models import User
from tongxin.directives import services
from tongxin.directives.models import DirectiveStatus, Escalation, Priority, TargetStatus
from tongxin.incidents.models import Incident
from tongxin.notifications.models import Message

from .conftest import T0, Team

pytestmark = pytest.mark.django_db

H = dt.timedelta(hours=1)
M = dt.timedelta(minutes=1)


def kinds_for(user: User) -> list[str]:
    return list(
        Message.objects.filter(user=user)
        .order_by("pk")
        .values_list("notification__kind", flat=True)
    )


def test_issue_sign_report_complete_and_escalate(
    incident: Incident, chief: User, water: Team, health: Team, settings: Any
) -> None:
    settings.TONGXIN_DIRECTIVE_ESCALATION_MINUTES = 60
    deadline = T0 + 4 * H
    directive = services.issue_directive(
        incident=incident, issued_by=chief, title="连夜做好全员核酸检测准备",
        text="今晚完成采样点布设和入户告知。", priority=Priority.URGENT, deadline=deadline,
        units=[water.unit, health.unit], number_label="已告知户数", now=T0,
    )  # fmt: skip
    assert directive.seq == 1 and directive.status == DirectiveStatus.OPEN
    # Every staff member of both units has it in their inbox.
    for user in (water.leader, water.staff, health.leader, health.staff):
        assert kinds_for(user) == ["directive_issued"]
    msg = Message.objects.filter(user=water.leader).get().notification
    assert msg.title == "【特急】新指令：连夜做好全员核酸检测准备"
    assert msg.link == f"/directives/{directive.pk}/"

    w = directive.targets.get(unit=water.unit)
    h = directive.targets.get(unit=health.unit)

    # 签收, 反馈, 办结 by the water bureau, in time.
    services.sign(w, water.staff, now=T0 + 10 * M)
    w.refresh_from_db()
    assert (w.status, w.signed_by, w.signed_at) == (TargetStatus.SIGNED, water.staff, T0 + 10 * M)
    services.add_feedback(w, water.staff, "已布设2个采样点", number=Decimal(120), now=T0 + H)
    w.refresh_from_db()
    assert w.status == TargetStatus.IN_PROGRESS
    services.complete(w, water.leader, text="已全部告知", number=Decimal(480), now=T0 + 3 * H)
    w.refresh_from_db()
    assert w.status == TargetStatus.COMPLETED and w.completed_by == water.leader
    assert not w.is_late()

    # The health bureau does nothing. The board shows who has not signed and who is late.
    row = services.board(chief, now=deadline + M)[0]
    assert (row.counts.total, row.counts.unsigned, row.counts.completed, row.counts.late) == (
        2, 1, 1, 1,
    )  # fmt: skip

    # First sweep after the deadline: the unit's leader is reminded, nobody else.
    first = services.sweep(deadline + M)
    assert [t.pk for t in first.reminded] == [h.pk] and first.escalated == []
    assert kinds_for(health.leader) == ["directive_issued", "directive_overdue"]
    assert kinds_for(health.staff) == ["directive_issued"]
    assert kinds_for(chief) == []
    h.refresh_from_db()
    assert h.escalation_level == Escalation.UNIT_LEADER

    # A second sweep within the grace period notifies nobody again.
    again = services.sweep(deadline + 30 * M)
    assert again.reminded == [] and again.escalated == []
    assert kinds_for(health.leader) == ["directive_issued", "directive_overdue"]

    # After the grace period the command post hears, once.
    later = services.sweep(deadline + 62 * M)
    assert [t.pk for t in later.escalated] == [h.pk]
    assert kinds_for(chief) == ["directive_escalated"]
    escalated = Message.objects.get(user=chief).notification
    assert "县卫健局" in escalated.body
    h.refresh_from_db()
    assert h.escalation_level == Escalation.COMMAND_POST
    services.sweep(deadline + 5 * H)
    assert kinds_for(chief) == ["directive_escalated"]
    assert kinds_for(health.leader) == ["directive_issued", "directive_overdue"]

    # The water bureau, done in time, was never reminded.
    assert kinds_for(water.leader) == ["directive_issued"]

    # Late completion closes the directive, and shows as late.
    services.complete(h, health.leader, text="已告知", number=Decimal(300), now=deadline + 6 * H)
    directive.refresh_from_db()
    h.refresh_from_db()
    assert directive.status == DirectiveStatus.CLOSED
    assert directive.closed_at == deadline + 6 * H
    assert h.is_late()
    assert services.numbers_total(directive) == Decimal(780)
    assert services.sweep(deadline + 10 * H).reminded == []


def test_the_sweep_command_runs_the_sweep(
    incident: Incident, chief: User, water: Team, capsys: Any
) -> None:
    from django.core.management import call_command
    from django.utils import timezone

    now = timezone.now()
    services.issue_directive(
        incident=incident, issued_by=chief, title="报数", text="报数", units=[water.unit],
        deadline=now - M, now=now - H,
    )  # fmt: skip
    call_command("directives", "sweep")
    assert "reminded 1 unit(s)" in capsys.readouterr().out
    call_command("directives", "sweep")
    assert "reminded 0 unit(s)" in capsys.readouterr().out
