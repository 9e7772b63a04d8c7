"""A driver or escort assigned to a run is told, without any passenger's data in the text."""

import datetime as dt

import pytest

from tongxin.accounts.models import Role, User
from tongxin.care.models import Hospital
from tongxin.care.services import runs
from tongxin.factories import UserFactory
from tongxin.notifications.models import Message

from .conftest import MONDAY, County, dialysis, resident

pytestmark = pytest.mark.django_db


def test_new_crew_members_get_the_run_once(
    county: County, hospital: Hospital, chief: User, django_capture_on_commit_callbacks
) -> None:
    person = resident(county.sunny_101, "王大爷")
    dialysis(person, hospital, "1")
    (run,) = runs.plan_runs(MONDAY).runs
    driver = UserFactory(role=Role.SUPPORT_TEAM)
    escort = UserFactory(role=Role.TRANSFER)

    with django_capture_on_commit_callbacks(execute=True):
        runs.arrange(chief, run, vehicle="浙H·1", driver=driver, escort=escort,
                     departs_at=dt.time(6, 30))  # fmt: skip
    with django_capture_on_commit_callbacks(execute=True):  # same crew again: no new message
        runs.arrange(chief, run, vehicle="浙H·2", driver=driver, escort=escort)

    (message,) = Message.objects.filter(user=driver).select_related("notification")
    note = message.notification
    assert note.kind == "care_run_assigned"
    assert "芹阳办事处 → 县人民医院" in note.title
    assert "驾驶员" in note.body and "06:30" in note.body and "1 人" in note.body
    assert note.link == f"/care/runs/{run.pk}/manifest/"
    assert person.name not in note.body and person.phone not in note.body
    assert "随车人员" in Message.objects.get(user=escort).notification.body
