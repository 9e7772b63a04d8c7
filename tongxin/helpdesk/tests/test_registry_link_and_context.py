"""Each request is linked to the household and resident when found, and shows their zone,
their responsible unit and cadre, and — from the care registry — any special-population tags
and care plan."""

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

import pytest
from django.urls import reverse

from tongxin.helpdesk.services import registry
from tongxin.zones.services import designate_zone

from .conftest import PHONE, T0, Town, ask

pytestmark = pytest.mark.django_db


def test_the_caller_is_found_by_phone(town: Town) -> None:
    request = ask("需要配降压药", "138-0013-8000", at=T0)
    assert request.person == town.resident
    assert request.place == town.h101  # their household, though they typed no address


def test_an_ambiguous_number_links_nobody(town: Town) -> None:
    from tongxin.factories import PersonFactory

    PersonFactory(name="另一人", phone=PHONE, household=town.other_household)
    request = ask("需要帮助", PHONE, at=T0)
    assert request.person is None and request.place is None
    # With the household given, the one living there is meant.
    again = ask("需要帮助", PHONE, at=T0, place=town.h101)
    assert again.person == town.resident


def test_a_typed_address_is_located_in_the_tree(town: Town) -> None:
    for text in ("1幢1单元102", "1-1-102", "一幢1单元102室", "1栋102"):
        assert registry.locate(town.estate, text).household == town.h102, text
    assert registry.locate(town.estate, "9幢101").place == town.estate  # unknown: the estate


def test_the_page_shows_zone_unit_and_cadre(client: Any, town: Town, desk, chief, incident) -> None:
    designate_zone(
        town.h101.parent.parent, "sealed", incident, reason="楼内阳性", decided_by=chief, at=T0
    )
    request = ask("需要配降压药", PHONE, at=T0 + dt.timedelta(hours=1))
    client.force_login(desk)
    page = client.get(reverse("helpdesk:detail", args=[request.number])).content.decode()
    assert "封控区" in page
    assert "县水利局" in page
    assert "包楼干部" in page and "136****6000" in page
    assert "陈阿婆" in page


@dataclass
class _Profile:
    tags: list[str] = field(default_factory=lambda: ["血透", "独居老人"])
    summary: str = "每周一三五县人民医院血透；由南山镇绿色通道接送"
    url: str = "/care/people/1/"


def test_a_special_population_person_is_linked_with_their_care_plan(
    client: Any, town: Town, desk, monkeypatch: Any
) -> None:
    """Against the care app's signature: care_profile_for(person, *, audit) -> CareProfile."""
    monkeypatch.setattr(
        registry,
        "care_profile_for",
        lambda person, audit=True: _Profile() if person == town.resident else None,
    )

    request = ask("明天怎么去医院", PHONE, at=T0)
    assert request.care_tags == ["血透", "独居老人"]
    assert request.priority == "high"  # a registered special-population person: at least 较急
    client.force_login(desk)
    page = client.get(reverse("helpdesk:detail", args=[request.number])).content.decode()
    assert "每周一三五县人民医院血透" in page and "/care/people/1/" in page
    assert ask("家里没菜了", "13512345678", at=T0).care_tags == []


def test_a_failing_care_registry_never_costs_a_request(town: Town, monkeypatch: Any) -> None:
    def broken(person: Any, audit: bool = True) -> Any:
        raise RuntimeError("care app bug")

    monkeypatch.setattr(registry, "care_profile_for", broken)
    request = ask("需要帮助", PHONE, at=T0)
    assert request.pk and request.care_tags == []
