"""The reminder page: a cadre's own list in clear (audited), everyone else's masked."""

import pytest
from django.urls import reverse

from tongxin.audit.models import AuditAction, AuditEvent
from tongxin.people.models import Person
from tongxin.testing.models import ReminderEntry
from tongxin.testing.services.plans import make_plan

pytestmark = pytest.mark.django_db


def _people(building):  # type: ignore[no-untyped-def]
    return list(Person.objects.filter(household__path__startswith=building.path))


def test_the_cadre_sees_clear_numbers_the_leader_masked(
    client, slow_round, estates, cadres, chief
) -> None:
    make_plan(slow_round, by=chief)
    client.force_login(cadres.a)
    page = client.get(reverse("testing:reminders", args=[slow_round.pk])).content.decode()
    for person in _people(estates.b1):
        assert person.phone in page and f"tel:{person.phone}" in page
    for person in _people(estates.b2):
        assert person.phone not in page
    assert AuditEvent.objects.filter(action=AuditAction.REVEAL, actor=cadres.a).count() == 4

    client.force_login(cadres.leader)
    page = client.get(reverse("testing:reminders", args=[slow_round.pk])).content.decode()
    assert "干部甲" in page and "干部乙" in page and "网格员丙" in page
    for person in Person.objects.all():
        assert person.phone not in page
    page = client.get(
        reverse("testing:reminders", args=[slow_round.pk]), {"cadre": cadres.a.pk}
    ).content.decode()
    for person in _people(estates.b1):
        assert person.phone not in page and person.phone_masked in page
    assert not AuditEvent.objects.filter(action=AuditAction.REVEAL, actor=cadres.leader).exists()


def test_marking_through_htmx(client, slow_round, estates, cadres, chief) -> None:
    make_plan(slow_round, by=chief)
    client.force_login(cadres.a)
    response = client.post(
        reverse("testing:reminder_mark", args=[slow_round.pk]),
        {"household": estates.h101.pk, "status": "no_answer"},
        headers={"HX-Request": "true", "HX-Target": f"reminder-{estates.h101.pk}"},
    )
    assert response.status_code == 200 and "未接通" in response.content.decode()
    assert ReminderEntry.objects.get(household=estates.h101).status == "no_answer"


def test_exemptions_page_registers_and_lists(client, slow_round, estates, cadres) -> None:
    person = _people(estates.b1)[0]
    client.force_login(cadres.a)
    found = client.post(reverse("testing:exemptions", args=[slow_round.pk]), {"q": person.name})
    assert person in found.context["results"]
    client.post(
        reverse("testing:exemptions", args=[slow_round.pk]),
        {"person": person.pk, "reason": "bedridden", "note": "卧床"},
    )
    page = client.get(reverse("testing:exemptions", args=[slow_round.pk])).content.decode()
    assert person.name in page and "卧床/行动不便" in page
    assert person.phone not in page and person.document_number not in page
