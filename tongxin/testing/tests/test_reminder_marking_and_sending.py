"""Marking households reminded or unanswered, and sending a slot's reminders."""

import json

import pytest
from django.http import Http404

from tongxin.notifications.models import Message
from tongxin.people.models import Person
from tongxin.testing.models import PlanSlot, ReminderEntry, ReminderStatus
from tongxin.testing.services.plans import make_plan
from tongxin.testing.services.reminders import mark, reminder_groups, send_slot_reminders

pytestmark = pytest.mark.django_db


def test_marking_shows_on_the_list(slow_round, estates, cadres, chief) -> None:
    make_plan(slow_round, by=chief)
    mark(slow_round, cadres.a, estates.h101.pk, ReminderStatus.REMINDED)
    mark(slow_round, cadres.a, estates.h102.pk, ReminderStatus.NO_ANSWER, "关机")
    (group,) = reminder_groups(slow_round, cadres.a, only_mine=True)
    assert (group.reminded, group.no_answer, group.pending) == (1, 1, 0)
    entry = ReminderEntry.objects.get(household=estates.h102)
    assert (entry.note, entry.marked_by) == ("关机", cadres.a)


def test_a_household_outside_ones_estates_cannot_be_marked(
    slow_round, estates, cadres, chief
) -> None:
    make_plan(slow_round, by=chief)
    with pytest.raises(Http404):
        mark(slow_round, cadres.a, estates.h_happy.pk, ReminderStatus.REMINDED)


def test_sending_texts_the_households_and_tells_the_cadre(
    slow_round, estates, cadres, chief, settings, django_capture_on_commit_callbacks
) -> None:
    make_plan(slow_round, by=chief)
    slot = PlanSlot.objects.get(round=slow_round, place=estates.b1)
    with django_capture_on_commit_callbacks(execute=True):
        result = send_slot_reminders(slow_round, cadres.leader, slot)
    assert (result.households, result.phones) == (2, 4)
    with open(settings.TONGXIN_SMS_FILE, encoding="utf-8") as sms_file:
        lines = [json.loads(line) for line in sms_file]
    households_masked = set(
        Person.objects.filter(household__path__startswith=estates.b1.path).values_list(
            "phone_masked", flat=True
        )
    )
    to = {line["to"] for line in lines}
    assert households_masked <= to
    household_texts = [line["text"] for line in lines if line["to"] in households_masked]
    assert all("1幢" in text and "阳光小区东门采样点" in text for text in household_texts)
    assert "03-06 07:00–09:00" in household_texts[0]
    # Households get the resident's text, not the cadres' working note.
    assert all("携带身份证件" in text and "包楼干部" not in text for text in household_texts)
    assert Message.objects.filter(user=cadres.a, notification__kind="test_reminder").exists()
    entries = ReminderEntry.objects.filter(round=slow_round, sms_sent_at__isnull=False)
    assert {e.household for e in entries} == {estates.h101, estates.h102}
