from typing import Any

import pytest
from django.urls import reverse

from tongxin.accounts.models import Role, User
from tongxin.factories import UserFactory
from tongxin.notifications.models import Message
from tongxin.notifications.services import mark_all_read, mark_read, notify, unread_count

pytestmark = pytest.mark.django_db


@pytest.fixture
def staff() -> User:
    return UserFactory(role=Role.GRID_STAFF)


def _tell(user: User, n: int) -> list[Message]:
    return [
        m
        for i in range(n)
        for m in notify("zone_lifted", users=[user], context={"place": f"{i}幢", "zone": "封控区"})
    ]


def test_unread_count_follows_reading(staff: User) -> None:
    messages = _tell(staff, 3)
    other = UserFactory()
    _tell(other, 1)
    assert unread_count(staff) == 3

    mark_read(staff, messages[0].pk)
    assert unread_count(staff) == 2
    mark_read(staff, messages[0].pk)  # reading twice changes nothing
    assert unread_count(staff) == 2

    assert mark_all_read(staff) == 2
    assert unread_count(staff) == 0
    assert unread_count(other) == 1


def test_inbox_badge_and_mark_read_pages(client: Any, staff: User) -> None:
    messages = _tell(staff, 2)
    client.force_login(staff)

    badge = client.get(reverse("notifications:badge"))
    assert badge.status_code == 200
    assert ">2</span>" in badge.content.decode()

    inbox = client.get(reverse("notifications:inbox"))
    body = inbox.content.decode()
    assert "0幢 解除封控区" in body and "1幢 解除封控区" in body

    row = client.post(
        reverse("notifications:mark_read", args=[messages[0].pk]), HTTP_HX_REQUEST="true"
    )
    assert row.status_code == 200
    assert f'id="message-{messages[0].pk}"' in row.content.decode()
    assert row["HX-Trigger"] == "tx-inbox-changed"
    assert unread_count(staff) == 1

    opened = client.get(reverse("notifications:message", args=[messages[1].pk]))
    assert opened.status_code == 200
    assert unread_count(staff) == 0
    assert "hidden" in client.get(reverse("notifications:badge")).content.decode()


def test_someone_elses_message_is_not_found(client: Any, staff: User) -> None:
    theirs = _tell(UserFactory(), 1)[0]
    client.force_login(staff)
    assert client.get(reverse("notifications:message", args=[theirs.pk])).status_code == 404
    assert client.post(reverse("notifications:mark_read", args=[theirs.pk])).status_code == 404
    theirs.refresh_from_db()
    assert theirs.read_at is None
