"""Residents check their request with its number and the last four digits of their phone.
A mismatch reads the same whether the number exists or not, and guessing is rate limited."""

import datetime as dt
import re
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from tongxin.helpdesk.models import HelpRequest
from tongxin.helpdesk.services import close, dispatch, log_contact

from .conftest import T0, Team, ask

pytestmark = pytest.mark.django_db

URL = "help_public:status"
CSRF = r'name="csrfmiddlewaretoken" value="[^"]+"'


def check(client: Client, number: str, last4: str, ip: str = "10.0.0.1") -> Any:
    return client.post(reverse(URL), {"number": number, "last4": last4}, REMOTE_ADDR=ip)


@pytest.fixture
def request_(desk, supplies: Team) -> HelpRequest:
    req = ask("家里没菜了", "13912345678", at=T0)
    return dispatch(req, supplies.unit, desk, now=T0 + dt.timedelta(minutes=5))


def test_number_and_last_digits_show_the_state(client: Client, request_: HelpRequest) -> None:
    page = check(client, request_.number.lower(), "5678").content.decode()
    assert request_.number in page
    assert "已转交承办单位" in page and "县物资保障组" in page
    assert "13912345678" not in page and "家里没菜了" not in page


def test_a_closed_request_shows_the_resolution(
    client: Client, request_: HelpRequest, supplies: Team
) -> None:
    log_contact(request_, supplies.a, "called", now=T0 + dt.timedelta(minutes=10))
    close(request_, supplies.a, "已送菜到门口", now=T0 + dt.timedelta(hours=1))
    page = check(client, request_.number, "5678").content.decode()
    assert "已办结" in page and "已送菜到门口" in page


def test_wrong_digits_and_unknown_numbers_read_the_same(
    client: Client, request_: HelpRequest
) -> None:
    wrong_digits = check(client, request_.number, "0000", ip="10.0.0.2")
    unknown = check(client, "QZ20220306-0999", "0000", ip="10.0.0.3")
    assert wrong_digits.status_code == unknown.status_code == 200
    a, b = (re.sub(CSRF, "", r.content.decode()) for r in (wrong_digits, unknown))
    assert "未查到匹配的求助记录" in a
    assert a.replace(request_.number, "N") == b.replace("QZ20220306-0999", "N")
    assert "已转交" not in a


def test_guessing_the_digits_of_one_number_is_limited(
    client: Client, request_: HelpRequest, settings: Any
) -> None:
    settings.TONGXIN_HELPDESK_RATE_LIMITS = {"status_number": [3, 3600]}
    for i, guess in enumerate(["0000", "1111", "2222"]):
        assert check(client, request_.number, guess, ip=f"10.1.0.{i}").status_code == 200
    # Even the right digits are refused now, from any address: the number is locked a while.
    assert check(client, request_.number, "5678", ip="10.1.0.9").status_code == 429
    # The limit holds for numbers that do not exist as well, so it gives nothing away.
    for i in range(3):
        check(client, "QZ20220306-0999", "0000", ip=f"10.2.0.{i}")
    assert check(client, "QZ20220306-0999", "0000", ip="10.2.0.9").status_code == 429


def test_one_address_checking_many_numbers_is_limited(client: Client, settings: Any) -> None:
    settings.TONGXIN_HELPDESK_RATE_LIMITS = {"status_ip": [5, 600]}
    codes = [check(client, f"QZ20220306-{i:04d}", "1234").status_code for i in range(6)]
    assert codes == [200] * 5 + [429]


def test_a_merged_number_points_to_the_request_that_carries_on(
    client: Client, desk, request_: HelpRequest
) -> None:
    from tongxin.helpdesk.services import merge

    second = ask("还是没菜", "13912345678", at=T0 + dt.timedelta(minutes=30))
    merge(second, request_, desk)
    page = check(client, second.number, "5678").content.decode()
    assert request_.number in page and "合并" in page
