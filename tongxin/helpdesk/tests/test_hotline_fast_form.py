"""Hotline duty staff enter a call in one form: the caller's number, a registry lookup (masked,
within what they may see), the need; the request is numbered at once."""

from typing import Any

import pytest
from django.urls import reverse

from tongxin.helpdesk.models import HelpRequest, Status

from .conftest import PHONE, Town

pytestmark = pytest.mark.django_db


def test_the_lookup_finds_the_caller_masked_and_by_post(client: Any, desk, town: Town) -> None:
    client.force_login(desk)
    assert client.get(reverse("helpdesk:lookup")).status_code == 405  # never in a URL
    by_phone = client.post(reverse("helpdesk:lookup"), {"phone": PHONE}).content.decode()
    assert "陈阿婆" in by_phone and "138****8000" in by_phone and PHONE not in by_phone
    by_name = client.post(reverse("helpdesk:lookup"), {"q": "陈阿"}).content.decode()
    assert f'value="{town.resident.pk}"' in by_name


def test_a_call_is_taken_linked_and_numbered(client: Any, desk, town: Town) -> None:
    client.force_login(desk)
    response = client.post(
        reverse("helpdesk:new"),
        {"phone": "13511112222", "caller_name": "陈阿婆的女儿", "person": town.resident.pk,
         "text": "母亲的降压药吃完了", "category": "medicine", "priority": "high"},
    )  # fmt: skip
    request = HelpRequest.objects.get()
    assert response["Location"] == reverse("helpdesk:detail", args=[request.number])
    assert (request.person, request.place) == (town.resident, town.h101)
    assert (request.channel, request.received_by) == ("hotline", desk)
    assert request.priority == "high" and request.priority_confirmed_by == desk


def test_a_question_answered_on_the_spot_is_closed_at_once(client: Any, desk) -> None:
    client.force_login(desk)
    client.post(
        reverse("helpdesk:new"),
        {"phone": "13511112222", "text": "管控区能出小区做核酸吗", "address": "城关镇",
         "category": "policy", "answered": "on", "resolution": "不能，请在楼下等候上门采样"},
    )  # fmt: skip
    request = HelpRequest.objects.get()
    assert request.status == Status.CLOSED and request.first_contact_at is not None


def test_where_is_asked_unless_the_caller_was_found(client: Any, desk) -> None:
    client.force_login(desk)
    response = client.post(reverse("helpdesk:new"), {"phone": "13511112222", "text": "没菜"})
    assert response.status_code == 400 and "请选择所在小区" in response.content.decode()
    assert "13511112222" not in response.content.decode()
    assert HelpRequest.objects.count() == 0


def test_a_person_outside_the_staff_members_reach_is_refused(
    client: Any, town: Town, supplies: Any
) -> None:
    client.force_login(supplies.lead)
    response = client.post(reverse("helpdesk:new"), {"phone": PHONE, "text": "x"})
    assert response.status_code == 403
