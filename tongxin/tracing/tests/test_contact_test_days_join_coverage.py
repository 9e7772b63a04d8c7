"""A contact's expected tests (the management's test days from the edition) join the testing
coverage: on a test day the grid's untested page lists them with whether they were sampled,
and a test day that passed without a sample is flagged and counted on the grid's contact
list — never saying who the case is."""

import datetime as dt
import uuid

from django.test import Client
from django.urls import reverse
from django.utils import timezone

from tongxin.sampling.models import SampleEvent, SampleSource, Tube
from tongxin.testing.models import RoundArea, RoundStatus, SamplingMode, TestRound
from tongxin.tracing.models import Management
from tongxin.tracing.services import confirm_contacts, followup
from tongxin.tracing.services.derive import derive_for_case
from tongxin.tracing.services.reports import contacts_overview

from .conftest import make_case


def _noon(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time(12)))


def _setup(world):
    """李梅 (密接 of 病例1) with test days three days ago, yesterday, today and in four days;
    sampled three days ago only. Everyone else's test days are cleared."""
    patient = world.one("1801")
    case = make_case(world, patient)
    confirm_contacts(derive_for_case(case), world.users["investigator"])
    today = timezone.localdate()
    li = world.one("1801", 1)
    Management.objects.exclude(person=li).update(test_dates=[])
    days = [today - dt.timedelta(days=3), today - dt.timedelta(days=1), today,
            today + dt.timedelta(days=4)]  # fmt: skip
    m = Management.objects.get(person=li)
    m.test_dates = [d.isoformat() for d in days]
    m.save()
    test_round = TestRound.objects.create(
        incident=world.incident,
        name="第5轮",
        starts_at=_noon(today - dt.timedelta(days=4)),
        deadline=_noon(today + dt.timedelta(days=1)),
        status=RoundStatus.ACTIVE,
    )
    RoundArea.objects.create(round=test_round, place=world.homes["1801"].parent.parent)
    tube = Tube.objects.create(
        barcode="T0001", round=test_round, mode=SamplingMode.SINGLE, capacity=1,
        opened_at=_noon(days[0]),
    )  # fmt: skip
    SampleEvent.objects.create(
        client_event_id=uuid.uuid4(), round=test_round, person=li, household=li.household,
        tube=tube, sampled_at=_noon(days[0]), received_at=_noon(days[0]),
        source=SampleSource.DEVICE,
    )  # fmt: skip
    return case, patient, li, m, test_round, days


def test_a_passed_test_day_without_a_sample_is_missed(world):
    _case, _patient, _li, m, _round, days = _setup(world)
    flags = [(d.date, d.done, d.missed) for d in followup.test_days([m])[m.pk]]
    assert flags == [
        (days[0], True, False),
        (days[1], False, True),  # yesterday, no sample: missed
        (days[2], False, False),  # today: not yet missed
        (days[3], False, False),
    ]


def test_the_grid_sees_todays_contact_test_on_the_untested_page(world):
    case, patient, li, _m, test_round, _days = _setup(world)
    client = Client()
    client.force_login(world.users["grid"])
    estate = world.homes["1801"].parent.parent
    page = client.get(reverse("sampling:untested", args=[test_round.pk, estate.pk]))
    assert page.status_code == 200
    managed = page.context["managed"]
    assert [(r["person_id"], r["done"], r["missed"]) for r in managed] == [(li.pk, False, 1)]
    body = page.content.decode()
    section = body[body.index('id="managed-title"') :]
    section = section[: section.index("</section>")]
    assert "密接 第3次检测" in section and li.name in section and "此前漏检 1 次" in section
    # The patient is on the round's own untested list as any resident; the contact's line
    # never says who the case is.
    for text in (case.label, patient.name, patient.document_masked):
        assert text not in section
    # Another unit's grid does not see 李梅 on its own page.
    other = Client()
    other.force_login(world.users["grid_b"])
    elsewhere = world.homes["hb-301"].parent.parent
    RoundArea.objects.create(round=test_round, place=elsewhere)
    theirs = other.get(reverse("sampling:untested", args=[test_round.pk, elsewhere.pk]))
    assert theirs.status_code == 200 and theirs.context["managed"] == []


def test_missed_test_days_are_counted_on_the_contact_list(world):
    _setup(world)
    client = Client()
    client.force_login(world.users["grid"])
    page = client.get(reverse("tracing:contacts"))
    assert page.context["missed"] == {"missed_test_days": 1, "people_with_missed_tests": 1}
    assert "应检未检：1 个检测日（1 人）" in page.content.decode()
    data = contacts_overview(world.incident, Management.objects.all())
    assert data["missed"] == {"missed_test_days": 1, "people_with_missed_tests": 1}
