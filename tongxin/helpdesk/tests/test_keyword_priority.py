"""Priority is suggested from the text by editable keyword rules (seeded with 血透, 透析, 孕,
临产, 胸痛, 呼吸困难, 抽搐 → urgent) and confirmed by the duty staff."""

import datetime as dt
from typing import Any

import pytest
from django.urls import reverse

from tongxin.helpdesk.models import HelpRequest, KeywordRule
from tongxin.helpdesk.services import HelpdeskError, suggest, triage

from .conftest import T0, ask

pytestmark = pytest.mark.django_db


def test_the_seeded_rules() -> None:
    urgent = set(KeywordRule.objects.filter(priority="urgent").values_list("keyword", flat=True))
    assert {"血透", "透析", "孕", "临产", "胸痛", "呼吸困难", "抽搐"} <= urgent


@pytest.mark.parametrize(
    ("text", "priority", "category", "emergency"),
    [
        ("我父亲每周一三五血透，公交停了", "urgent", "dialysis", False),
        ("怀孕八个月需要产检", "urgent", "maternity", False),
        ("老婆临产了", "urgent", "maternity", True),
        ("透析病人突然胸痛", "urgent", "emergency", True),  # the emergency rule's category wins
        ("家里没有菜了", "normal", "other", False),
    ],
)
def test_suggestions(text: str, priority: str, category: str, emergency: bool) -> None:
    result = suggest(text)
    assert (result.priority, result.category, result.emergency) == (priority, category, emergency)


def test_a_request_carries_the_suggestion_and_its_deadline() -> None:
    request = ask("透析病人明天怎么去医院", at=T0)
    assert (request.priority, request.priority_suggested) == ("urgent", "urgent")
    assert request.matched_keywords == ["透析"]
    assert request.category == "dialysis"
    assert request.contact_due_at == T0 + dt.timedelta(minutes=30)
    assert request.priority_confirmed_at is None  # awaiting the duty staff


def test_the_duty_staff_confirm_or_correct(desk) -> None:
    request = ask("家里没有菜了，孩子还小", at=T0)
    assert request.contact_due_at == T0 + dt.timedelta(hours=2)
    request = triage(request, desk, priority="high", category="food", emergency=False,
                     now=T0 + dt.timedelta(minutes=4))  # fmt: skip
    assert (request.priority, request.category) == ("high", "food")
    assert request.priority_confirmed_by == desk
    # The deadline counts from receipt, at the new priority's limit.
    assert request.contact_due_at == T0 + dt.timedelta(hours=1)


def test_support_teams_cannot_triage(supplies) -> None:
    request = ask(at=T0)
    with pytest.raises(HelpdeskError):
        triage(request, supplies.lead, priority="urgent", category="food", emergency=False)


def test_rules_are_edited_on_a_page_and_apply_at_once(client: Any, desk) -> None:
    client.force_login(desk)
    page = client.get(reverse("helpdesk:rules")).content.decode()
    assert "呼吸困难" in page
    response = client.post(
        reverse("helpdesk:rules"),
        {"keyword": "助听器", "priority": "high", "category": "medicine", "is_active": "on"},
    )
    assert response.status_code == 302
    request = ask("老人的助听器坏了", at=T0)
    assert (request.priority, request.category) == ("high", "medicine")

    rule = KeywordRule.objects.get(keyword="孕")
    client.post(
        f"{reverse('helpdesk:rules')}?edit={rule.pk}",
        {"keyword": "孕", "priority": "urgent", "category": "maternity"},  # is_active unticked
    )
    assert ask("孕妇需要买菜", "13512345678", at=T0).priority == "normal"


def test_support_teams_do_not_edit_rules(client: Any, supplies) -> None:
    client.force_login(supplies.lead)
    assert client.get(reverse("helpdesk:rules")).status_code == 403
    assert HelpRequest.objects.count() == 0
