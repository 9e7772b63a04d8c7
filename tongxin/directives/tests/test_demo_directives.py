import pytest
from django.utils import timezone

from tongxin.accounts.models import User
from tongxin.directives.demo import load_demo_directives
from tongxin.directives.models import Directive, DirectiveStatus, Escalation, TargetStatus
from tongxin.incidents.models import Incident

from .conftest import Team

pytestmark = pytest.mark.django_db


def test_demo_directives_cover_every_state_and_load_once(
    incident: Incident, chief: User, water: Team, health: Team, outsider: Team
) -> None:
    now = timezone.now()
    units = [water.unit, health.unit, outsider.unit]
    first = load_demo_directives(incident, units, chief, now)
    assert len(first) == 5
    open_statuses = set(
        Directive.objects.open().values_list("targets__status", flat=True).distinct()
    )
    assert open_statuses >= {
        TargetStatus.ISSUED, TargetStatus.SIGNED, TargetStatus.IN_PROGRESS,
        TargetStatus.COMPLETED,
    }  # fmt: skip
    escalated = Directive.objects.get(title="封控楼栋上门采样安排")
    assert escalated.is_overdue(now)
    assert escalated.targets.filter(escalation_level=Escalation.COMMAND_POST).count() == 3
    assert Directive.objects.filter(status=DirectiveStatus.CLOSED).count() == 1
    tasks = Directive.objects.get(title="统计需要就医配药的居民").targets.get(unit=water.unit)
    assert tasks.tasks.filter(status="done").count() == 1

    again = load_demo_directives(incident, units, chief, now)
    assert [d.pk for d in again] == [d.pk for d in first]
    assert Directive.objects.count() == 5
