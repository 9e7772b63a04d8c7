import datetime as dt
from typing import Any

import pytest
from django.urls import reverse
from django.utils import timezone

from tongxin.accounts.models import User
from tongxin.directives import services
from tongxin.directives.models import Directive, DirectiveTarget, TargetStatus
from tongxin.incidents.models import Incident

from .conftest import Team

pytestmark = pytest.mark.django_db


@pytest.fixture
def directive(incident: Incident, chief: User, water: Team, health: Team) -> Directive:
    return services.issue_directive(
        incident=incident, issued_by=chief, title="入户告知", text="今晚完成入户告知",
        units=[water.unit, health.unit], deadline=timezone.now() + dt.timedelta(hours=6),
        number_label="已告知户数",
    )  # fmt: skip


def test_the_issue_form_issues_a_directive(
    client: Any, incident: Incident, chief: User, water: Team, health: Team
) -> None:
    client.force_login(chief)
    form = client.get(reverse("directives:issue"))
    assert form.status_code == 200 and "县水利局" in form.content.decode()
    deadline = (timezone.localtime() + dt.timedelta(hours=3)).strftime("%Y-%m-%dT%H:%M")
    response = client.post(
        reverse("directives:issue"),
        {
            "incident": incident.pk, "title": "设置采样点", "text": "每2000人设一个采样点",
            "priority": "urgent", "deadline": deadline, "units": [water.unit.pk],
            "requires_text": "on", "number_label": "",
        },
    )  # fmt: skip
    directive = Directive.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("directives:detail", args=[directive.pk])
    assert [t.unit for t in directive.targets.all()] == [water.unit]
    assert directive.priority == "urgent"


def test_the_board_shows_the_status_matrix(client: Any, directive: Directive, chief: User):
    client.force_login(chief)
    page = client.get(reverse("directives:list")).content.decode()
    assert "入户告知" in page
    assert "县水利局" in page and "县卫健局" in page
    units = client.get(reverse("directives:units")).content.decode()
    assert "县水利局" in units


def test_a_unit_signs_and_completes_with_htmx(
    client: Any, directive: Directive, water: Team
) -> None:
    target = directive.targets.get(unit=water.unit)
    client.force_login(water.staff)
    assert client.get(reverse("directives:list"))["Location"] == reverse("directives:mine")
    mine = client.get(reverse("directives:mine")).content.decode()
    assert "入户告知" in mine

    detail = client.get(reverse("directives:detail", args=[directive.pk])).content.decode()
    assert f'id="target-{target.pk}"' in detail and "签收" in detail
    assert "县卫健局" not in detail  # a unit sees its own copy, not the others'

    signed = client.post(reverse("directives:sign", args=[target.pk]), HTTP_HX_REQUEST="true",
                         HTTP_HX_TARGET=f"target-{target.pk}")  # fmt: skip
    assert signed.status_code == 200
    assert "已签收" in signed.content.decode()
    assert "<html" not in signed.content.decode()

    again = client.post(reverse("directives:sign", args=[target.pk]), HTTP_HX_REQUEST="true")
    assert "已于" in again.content.decode()

    # Completing is the leader's (grid staff sign and report back).
    client.force_login(water.leader)
    incomplete = client.post(
        reverse("directives:complete", args=[target.pk]), {"text": "完成"},
        HTTP_HX_REQUEST="true",
    )  # fmt: skip
    assert "请检查填写内容" in incomplete.content.decode()
    done = client.post(
        reverse("directives:complete", args=[target.pk]), {"text": "完成", "number": "120"},
        HTTP_HX_REQUEST="true",
    )  # fmt: skip
    assert "已办结" in done.content.decode()
    target.refresh_from_db()
    assert target.status == TargetStatus.COMPLETED


def test_without_htmx_actions_redirect_back_to_the_directive(
    client: Any, directive: Directive, water: Team
) -> None:
    target: DirectiveTarget = directive.targets.get(unit=water.unit)
    client.force_login(water.leader)
    response = client.post(reverse("directives:feedback", args=[target.pk]), {"text": "进行中"})
    assert response.status_code == 302
    assert response["Location"] == reverse("directives:detail", args=[directive.pk])
    target.refresh_from_db()
    assert target.status == TargetStatus.IN_PROGRESS
