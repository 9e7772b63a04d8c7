from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from tongxin.accounts.models import User
from tongxin.notifications import kinds
from tongxin.notifications.kinds import Channel
from tongxin.notifications.models import Preference
from tongxin.notifications.services import (
    preference_rows,
    set_preference,
    unit_channel_enabled,
    user_channel_enabled,
)

pytestmark = pytest.mark.django_db


def test_rows_agree_with_the_one_kind_lookups(leader: User) -> None:
    set_preference(unit=leader.unit, channel=Channel.SMS, enabled=False)
    set_preference(user=leader, kind="zone_lifted", channel=Channel.SMS, enabled=True)
    set_preference(unit=leader.unit, kind="directive_issued", channel=Channel.ROBOT, enabled=False)
    rows = preference_rows(leader, leader.unit)
    assert [r["kind"].code for r in rows] == [k.code for k in kinds.all_kinds()]
    for row in rows:
        code = row["kind"].code
        assert row["sms"] == user_channel_enabled(leader, code, Channel.SMS)
        assert row["unit_sms"] == unit_channel_enabled(leader.unit, code, Channel.SMS)
        assert row["unit_robot"] == unit_channel_enabled(leader.unit, code, Channel.ROBOT)
    by_code = {r["kind"].code: r for r in rows}
    assert by_code["zone_lifted"]["sms"] and not by_code["directive_issued"]["sms"]
    assert not by_code["directive_issued"]["unit_robot"]


def test_the_page_does_not_query_per_kind(client: Any, leader: User) -> None:
    client.force_login(leader)
    url = reverse("notifications:preferences")
    client.get(url)  # warm up session and caches
    with CaptureQueriesContext(connection) as few:
        assert client.get(url).status_code == 200
    for kind in kinds.all_kinds():
        Preference.objects.create(user=leader, kind=kind.code, channel=Channel.SMS, enabled=True)
    with CaptureQueriesContext(connection) as more:
        client.get(url)
    assert len(more) == len(few)
    assert len(few) < len(kinds.all_kinds())
