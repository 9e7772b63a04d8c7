"""The public page works without a login, is protected against abuse (a challenge, rate limits
per address and per phone that hold across web workers), and never reveals whether a person
or phone exists in the registry."""

import re
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from tongxin.helpdesk.models import HelpRequest, RateCounter

from .conftest import PHONE, Town
from .public import solved, submit

pytestmark = pytest.mark.django_db


@pytest.fixture
def anon() -> Client:
    return Client(enforce_csrf_checks=False)


def test_a_resident_asks_for_help_without_logging_in(anon: Client, town: Town) -> None:
    response = submit(anon, estate=town.estate.pk, unit_text="1幢1单元102", caller_name="王先生")
    assert response.status_code == 302
    request = HelpRequest.objects.get()
    assert request.place == town.h102  # the household, found from what was typed
    assert request.caller_name == "王先生" and request.channel == "web"
    receipt = anon.get(response["Location"]).content.decode()
    assert request.number in receipt


def test_a_wrong_answer_is_refused(anon: Client) -> None:
    data = solved(anon, answer="999")
    response = anon.post(reverse("help_public:ask"), data)
    assert response.status_code == 400 and "答案不正确" in response.content.decode()
    assert HelpRequest.objects.count() == 0


def test_the_hidden_field_catches_robots(anon: Client) -> None:
    response = anon.post(reverse("help_public:ask"), solved(anon, website="http://spam"))
    assert response.status_code == 400
    assert HelpRequest.objects.count() == 0


def test_a_form_sent_back_at_once_is_a_robots(anon: Client, settings: Any) -> None:
    settings.TONGXIN_HELPDESK_MIN_FILL_SECONDS = 5
    response = anon.post(reverse("help_public:ask"), solved(anon))
    assert response.status_code == 400 and "提交过快" in response.content.decode()


def test_a_solved_challenge_cannot_be_replayed(anon: Client) -> None:
    data = solved(anon)
    assert anon.post(reverse("help_public:ask"), data).status_code == 302
    again = anon.post(reverse("help_public:ask"), {**data, "phone": "13512345678"})
    assert again.status_code == 400 and "已提交过" in again.content.decode()
    assert HelpRequest.objects.count() == 1


def test_one_address_is_limited(anon: Client, settings: Any) -> None:
    settings.TONGXIN_HELPDESK_RATE_LIMITS = {"submit_ip": [3, 600]}
    for i in range(3):
        assert submit(anon, phone=f"1391234560{i}").status_code == 302
    limited = submit(anon, phone="13912345699")
    assert limited.status_code == 429
    assert "120" in limited.content.decode()  # an emergency is pointed to 120 even then
    # Another address is not affected.
    assert submit(anon, ip="10.0.0.2", phone="13912345698").status_code == 302
    assert HelpRequest.objects.count() == 4


def test_one_phone_is_limited_across_addresses(anon: Client, settings: Any) -> None:
    settings.TONGXIN_HELPDESK_RATE_LIMITS = {"submit_phone": [2, 3600]}
    statuses = [submit(anon, ip=f"10.0.1.{i}").status_code for i in range(3)]
    assert statuses == [302, 302, 429]


def test_limits_are_kept_in_the_database_without_addresses_or_numbers(anon: Client) -> None:
    """Every web worker sees the same counters (a per-process cache would not), and the
    counters hold keyed hashes only."""
    submit(anon, ip="10.9.8.7")
    keys = list(RateCounter.objects.values_list("key", flat=True))
    assert keys and all(len(k) == 40 for k in keys)
    assert not any("10.9.8.7" in k or "13912345678" in k for k in keys)


def test_the_answer_does_not_reveal_the_registry(anon: Client, town: Town) -> None:
    registered = submit(anon, phone=PHONE, text="需要买菜")  # 陈阿婆's number
    stranger = submit(anon, ip="10.0.0.9", phone="13512345678", text="需要买菜")
    pages = [
        re.sub(r'value="[^"]{40,}"', "", anon.get(r["Location"]).content.decode())
        for r in (registered, stranger)
    ]
    numbers = list(HelpRequest.objects.order_by("pk").values_list("number", flat=True))
    # Identical apart from the request number.
    assert pages[0].replace(numbers[0], "N") == pages[1].replace(numbers[1], "N")
    assert "陈阿婆" not in pages[0]
    assert HelpRequest.objects.get(number=numbers[0]).person == town.resident  # linked inside


def test_a_form_shown_again_does_not_echo_the_phone(anon: Client) -> None:
    data = solved(anon, text="")
    response = anon.post(reverse("help_public:ask"), data)
    page = response.content.decode()
    assert response.status_code == 400
    assert "13912345678" not in page and "139****5678" in page
    # …and the sealed number still goes through on the next try.
    retry = solved(anon, text="需要买药", phone="")
    sealed = page.split('name="phone_sealed" value="', 1)[1].split('"', 1)[0]
    assert (
        anon.post(reverse("help_public:ask"), {**retry, "phone_sealed": sealed}).status_code == 302
    )
    assert HelpRequest.objects.get().phone == "13912345678"
