"""The driver reading the manifest in English sees the zone in English (the run stored the name
in the language it was planned in)."""

from typing import Any

import pytest
from django.urls import reverse

from tongxin.care.models import Hospital
from tongxin.care.services import runs
from tongxin.incidents.models import Incident
from tongxin.zones.services import designate_zone

from .conftest import MONDAY, START, County, dialysis, resident

pytestmark = pytest.mark.django_db


def test_the_zone_is_named_in_the_readers_language(
    client: Any, county: County, hospital: Hospital, incident: Incident, chief: Any
) -> None:
    dialysis(resident(county.sunny_101, "封控楼"), hospital, "1")
    designate_zone(county.sunny_101.parent, "sealed", incident, at=START, reason="楼内阳性")
    (run,) = runs.plan_runs(MONDAY).runs
    client.force_login(chief)
    for name in ("care:manifest", "care:run"):
        english = client.get(reverse(name, args=[run.pk]), HTTP_ACCEPT_LANGUAGE="en")
        page = english.content.decode()
        assert "Sealed zone" in page and "封控区" not in page, name
    chinese = client.get(reverse("care:manifest", args=[run.pk])).content.decode()
    assert "封控区" in chinese
