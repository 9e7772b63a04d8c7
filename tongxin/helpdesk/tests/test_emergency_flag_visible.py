"""An emergency request (急危重症, 临产) is flagged so that no step asks for a negative test
before care, and that rule is shown to every team that sees it."""

import datetime as dt
from typing import Any

import pytest
from django.urls import reverse

from tongxin.helpdesk.models import HelpRequest
from tongxin.helpdesk.services import EMERGENCY_RULE, dispatch, triage
from tongxin.notifications.models import Notification

from .conftest import T0, Team, ask
from .public import submit

pytestmark = pytest.mark.django_db
RULE = str(EMERGENCY_RULE)


def test_labour_and_emergency_symptoms_are_flagged() -> None:
    for text in ("老婆临产了，肚子疼", "老人胸痛出冷汗", "孩子高热抽搐"):
        request = ask(text, at=T0)
        assert request.is_emergency and request.priority == "urgent", text
    assert not ask("家里没菜了", "13512345678", at=T0).is_emergency


def test_the_category_flags_it_and_the_duty_staff_can(desk) -> None:
    assert ask("情况不好", at=T0, category="emergency").is_emergency
    request = ask("家里老人需要帮忙买点东西", "13512345678", at=T0)
    assert not request.is_emergency
    request = triage(request, desk, priority="normal", category="medicine", emergency=True)
    assert request.is_emergency and request.priority == "urgent"  # an emergency is urgent


def test_every_team_sees_the_rule(client: Any, desk, chief, medical: Team) -> None:
    request = ask("老婆临产了", at=T0)
    dispatch(request, medical.unit, desk, now=T0 + dt.timedelta(minutes=1))
    notification = Notification.objects.get(kind="request_dispatched")
    assert "急危重症/临产" in notification.title
    assert "核酸检测阴性证明" in notification.body

    for user, url in [
        (medical.a, reverse("helpdesk:team")),
        (medical.a, reverse("helpdesk:detail", args=[request.number])),
        (desk, reverse("helpdesk:queue")),
        (chief, reverse("helpdesk:county")),
    ]:
        client.force_login(user)
        page = client.get(url).content.decode()
        assert RULE in page, url
        assert "急危重症/临产" in page, url


def test_the_resident_is_told_too(client: Any) -> None:
    response = submit(client, text="我老婆临产了，需要去医院")
    receipt = client.get(response["Location"]).content.decode()
    assert RULE in receipt
    assert HelpRequest.objects.get().is_emergency


def test_no_form_asks_for_a_test_result(client: Any, desk) -> None:
    """Nothing on the intake or work pages asks for a nucleic-acid result."""
    client.force_login(desk)
    request = ask("老人胸痛", at=T0)
    for url in (reverse("helpdesk:new"), reverse("helpdesk:detail", args=[request.number])):
        page = client.get(url).content.decode()
        for word in ("核酸结果", "阴性报告", "上传核酸"):
            assert word not in page
