from typing import Any

import pytest
from django.urls import reverse

from tongxin.accounts.models import Role, User
from tongxin.factories import UserFactory
from tongxin.notifications.kinds import Channel
from tongxin.notifications.models import Delivery, GroupRobot, Platform, Preference
from tongxin.notifications.services import (
    notify,
    set_preference,
    unit_channel_enabled,
    user_channel_enabled,
)
from tongxin.units.models import Unit

pytestmark = pytest.mark.django_db


@pytest.fixture
def robot(unit: Unit) -> GroupRobot:
    return GroupRobot.objects.create(unit=unit, name="群", platform=Platform.WECOM,
                                     webhook_url="https://example.invalid/hook?key=k")  # fmt: skip


def test_defaults_come_from_the_kind(leader: User) -> None:
    assert user_channel_enabled(leader, "directive_issued", Channel.SMS)
    assert not user_channel_enabled(leader, "zone_lifted", Channel.SMS)
    assert unit_channel_enabled(leader.unit, "zone_lifted", Channel.ROBOT)


def test_the_user_overrides_the_unit_which_overrides_the_default(unit: Unit, leader: User) -> None:
    staff = UserFactory(role=Role.GRID_STAFF, unit=unit, phone="13900139000")
    set_preference(unit=unit, channel=Channel.SMS, enabled=False)  # every kind
    set_preference(user=leader, kind="directive_issued", channel=Channel.SMS, enabled=True)
    notify("directive_issued", units=[unit], context={})
    assert list(Delivery.objects.values_list("user__username", flat=True)) == [leader.username]
    assert not user_channel_enabled(staff, "directive_issued", Channel.SMS)


def test_a_unit_can_mute_its_robots_for_one_kind(unit: Unit, robot: GroupRobot) -> None:
    set_preference(unit=unit, kind="zone_lifted", channel=Channel.ROBOT, enabled=False)
    notify("zone_lifted", units=[unit], context={})
    assert not Delivery.objects.exists()
    notify("zone_designated", units=[unit], context={})
    assert Delivery.objects.get().robot == robot


def test_inactive_robots_and_staff_are_skipped(unit: Unit, robot: GroupRobot) -> None:
    robot.is_active = False
    robot.save()
    gone = UserFactory(unit=unit, is_active=False)
    messages = notify("zone_designated", units=[unit], context={})
    assert messages == [] and not Delivery.objects.exists()
    assert gone.notification_messages.count() == 0


def test_the_preferences_page_saves_user_and_unit_choices(client: Any, leader: User) -> None:
    client.force_login(leader)
    page = client.get(reverse("notifications:preferences"))
    assert page.status_code == 200
    assert "本单位工作群" in page.content.decode()
    response = client.post(
        reverse("notifications:preferences"),
        {"sms:zone_lifted": "on", "unit_robot:directive_issued": "on"},
    )
    assert response.status_code == 302
    assert user_channel_enabled(leader, "zone_lifted", Channel.SMS)
    assert not user_channel_enabled(leader, "directive_issued", Channel.SMS)
    assert unit_channel_enabled(leader.unit, "directive_issued", Channel.ROBOT)
    assert not unit_channel_enabled(leader.unit, "zone_designated", Channel.ROBOT)
    # A grid staff member cannot set the unit's choices.
    staff = UserFactory(role=Role.GRID_STAFF, unit=leader.unit)
    client.force_login(staff)
    client.post(reverse("notifications:preferences"), {"unit_robot:zone_designated": "on"})
    assert not Preference.objects.filter(unit=leader.unit, kind="zone_designated",
                                         channel=Channel.ROBOT, enabled=True).exists()  # fmt: skip
