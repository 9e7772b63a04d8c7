"""In English the lift button says "Lift" (not "Lifted"), and a zone decided by someone reading
the pages in English is still named in the language the notification is written in."""

import pytest
from django.test import TestCase
from django.urls import reverse
from django.utils import translation

from tongxin.factories import UnitFactory, assign
from tongxin.notifications.models import Notification
from tongxin.zones.services import designate_zone

from .conftest import local

pytestmark = pytest.mark.django_db


def test_the_lift_button_reads_lift(client, town, incident, chief) -> None:
    zone = designate_zone(town.sunny, "controlled", incident, at=local(6), reason="管控")
    client.force_login(chief)
    html = client.get(reverse("zones:detail", args=[zone.pk]), HTTP_ACCEPT_LANGUAGE="en")
    page = html.content.decode()
    assert f'href="{reverse("zones:lift", args=[zone.pk])}">Lift</a>' in page
    lift = client.get(reverse("zones:lift", args=[zone.pk]), HTTP_ACCEPT_LANGUAGE="en")
    assert '<button class="btn primary" type="submit">Lift</button>' in lift.content.decode()


def test_a_notification_names_the_zone_in_its_own_language(town, incident, chief) -> None:
    unit = UnitFactory(name="县水利局")
    assign(unit, town.sunny)
    with translation.override("en"), TestCase.captureOnCommitCallbacks(execute=True):
        designate_zone(town.sunny, "controlled", incident, at=local(6), reason="管控")
    note = Notification.objects.get(kind="zone_designated")
    assert "管控区" in note.title and "Controlled" not in note.title + note.body
