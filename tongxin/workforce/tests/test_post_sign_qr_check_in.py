"""A post's printed sign carries a QR code of the member's check-in page with the post code:
scanning it opens the page with the code filled in."""

import datetime as dt
import re

import pytest
from django.test import Client
from django.utils import timezone

from tongxin.accounts.models import Role
from tongxin.factories import UnitFactory, UserFactory
from tongxin.workforce.factories import MemberFactory, make_post, make_shift
from tongxin.workforce.services.shifts import assign

pytestmark = pytest.mark.django_db


def test_the_sign_encodes_the_check_in_page_with_the_code(chief, incident, team, town) -> None:
    post = make_post(incident, "阳光小区1号采样点", place=town.sunny)
    client = Client()
    client.force_login(chief)
    page = client.get(f"/workforce/posts/{post.pk}/sign/").content.decode()
    assert "<svg" in page and post.code in page
    url = re.search(r'data-scan-url="([^"]+)"', page).group(1)
    assert url == f"http://testserver/workforce/me/?code={post.code}"

    user = UserFactory(role=Role.MEMBER)
    member = MemberFactory(incident=incident, team=team, user=user)
    assign(make_shift(post, timezone.now() - dt.timedelta(minutes=10), 4), member, "sampling")
    client.force_login(user)
    scanned = client.get(url.removeprefix("http://testserver")).content.decode()
    assert f'value="{post.code}"' in scanned
    odd = client.get("/workforce/me/?code=<script>").content.decode()
    assert "<script>" not in odd.split("岗位码", 1)[1][:400]

    stranger = Client()
    stranger.force_login(UserFactory(role=Role.UNIT_LEADER, unit=UnitFactory()))
    assert stranger.get(f"/workforce/posts/{post.pk}/sign/").status_code == 404
