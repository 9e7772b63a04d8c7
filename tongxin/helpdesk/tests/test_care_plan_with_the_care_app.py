"""With the care registry installed: a request from a registered special-population person is
linked at intake (tags kept, nothing shown, nothing audited) and the request page shows the
care plan — the health data itself only to those who may see the resident's record."""

import datetime as dt
from typing import Any

import pytest
from django.apps import apps
from django.urls import reverse

from tongxin.audit.models import AuditEvent
from tongxin.helpdesk.services import dispatch

from .conftest import PHONE, T0, Team, Town, ask

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(
        not apps.is_installed("tongxin.care"), reason="the care app is not installed here"
    ),
]


@pytest.fixture
def dialysis_patient(town: Town) -> Any:
    from tongxin.care.models import CareNeed, Hospital, NeedKind

    hospital = Hospital.objects.create(name="县人民医院")
    CareNeed.objects.create(
        person=town.resident, kind=NeedKind.DIALYSIS, hospital=hospital, weekdays="135",
        session_time=dt.time(7, 30),
    )  # fmt: skip
    return town.resident


def test_linked_at_intake_and_shown_with_the_care_plan(
    client: Any, dialysis_patient: Any, desk, supplies: Team
) -> None:
    request = ask("明天的透析怎么去", PHONE, at=T0)
    assert request.person == dialysis_patient and request.care_tags == ["血透"]
    assert not AuditEvent.objects.filter(target_type="care.careneed", action="view").exists()

    client.force_login(desk)
    page = client.get(reverse("helpdesk:detail", args=[request.number])).content.decode()
    assert "县人民医院" in page and "周一/三/五 07:30" in page
    assert f"/care/people/{dialysis_patient.pk}/" in page
    assert AuditEvent.objects.filter(
        target_type="care.careneed", action="view", actor=desk
    ).exists()

    # The support group taking the request sees that it is a dialysis patient, not the record.
    dispatch(request, supplies.unit, desk, now=T0 + dt.timedelta(minutes=2))
    client.force_login(supplies.a)
    page = client.get(reverse("helpdesk:detail", args=[request.number])).content.decode()
    assert "血透" in page and "周一/三/五" not in page
