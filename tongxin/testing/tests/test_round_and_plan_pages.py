"""The command post sets up a round, its point and its schedule through the pages."""

import pytest
from django.urls import reverse

from tongxin.testing.models import PlanSlot, RoundPoint, TestPoint, TestRound

from .conftest import local, residents

pytestmark = pytest.mark.django_db


def test_round_point_plan_and_hand_move(client, incident, estates, chief) -> None:
    residents(estates.h101, 2)
    residents(estates.h201, 1)
    client.force_login(chief)
    response = client.post(
        reverse("testing:round_create"),
        {
            "name": "第二轮全员核酸",
            "starts_at": "2022-03-06T07:00",
            "deadline": "2022-03-06T19:00",
            "scope": [estates.sunny.pk],
            "people_per_sampler_hour": "2",
        },
    )
    round_ = TestRound.objects.get(name="第二轮全员核酸")
    assert response.status_code == 302 and round_.starts_at == local(6, 7)

    response = client.post(
        reverse("testing:point_create"),
        {
            "name": "阳光小区东门",
            "place": estates.sunny.pk,
            "opens_at": "07:00",
            "closes_at": "19:00",
            "samplers": "1",
        },
    )
    point = TestPoint.objects.get(name="阳光小区东门")
    client.post(reverse("testing:round_point_add", args=[round_.pk]), {"point": point.pk})
    rp = RoundPoint.objects.get(round=round_, point=point)

    detail = client.get(reverse("testing:round", args=[round_.pk])).content.decode()
    assert "阳光小区东门" in detail and "20合1混采" in detail

    client.post(reverse("testing:plan_run", args=[round_.pk]))
    page = client.get(reverse("testing:plan", args=[round_.pk])).content.decode()
    assert "1幢" in page and "2幢" in page and "能" in page
    by_building = client.get(reverse("testing:plan", args=[round_.pk]), {"by": "building"})
    assert "阳光小区东门" in by_building.content.decode()

    slot = PlanSlot.objects.get(round=round_, place=estates.b2)
    url = reverse("testing:slot_move", args=[round_.pk, slot.pk])
    form = client.get(url, headers={"HX-Request": "true", "HX-Target": f"slot-{slot.pk}"})
    assert 'name="starts_at"' in form.content.decode()
    moved = client.post(
        url,
        {"round_point": rp.pk, "starts_at": "2022-03-06T07:30"},
        headers={"HX-Request": "true", "HX-Target": f"slot-{slot.pk}"},
    )
    body = moved.content.decode()
    assert moved.status_code == 200 and "约 1 人需排队" in body and "人工调整" in body
    slot.refresh_from_db()
    assert (slot.starts_at, slot.ends_at, slot.by_hand) == (local(6, 7, 30), local(6, 8, 0), True)
    plan_page = client.get(reverse("testing:plan", args=[round_.pk])).content.decode()
    assert "超过采样能力" in plan_page


def test_override_through_the_page(client, round_, estates, chief) -> None:
    client.force_login(chief)
    client.post(
        reverse("testing:round_area", args=[round_.pk]),
        {"place": estates.b1.pk, "mode_override": "single"},
    )
    assert round_.areas.get(place=estates.b1).mode_override == "single"
    page = client.get(reverse("testing:round", args=[round_.pk])).content.decode()
    assert "单采（一人一管）" in page


def test_the_calculator_page_answers_the_reports_question(client, chief, incident) -> None:
    client.force_login(chief)
    page = client.get(reverse("testing:calculator"))
    result = page.context["result"]
    assert (result.samplers, result.points) == (28, 4)
    page = client.get(
        reverse("testing:calculator"),
        {"people": 10000, "hours": 12, "per_sampler_hour": 30, "samplers_per_point": 6},
    )
    assert page.context["result"].points == 5


def test_only_the_command_post_plans(client, round_, cadres) -> None:
    client.force_login(cadres.a)
    assert client.post(reverse("testing:plan_run", args=[round_.pk])).status_code == 403
    assert client.get(reverse("testing:round_create")).status_code == 403


def test_a_point_page_lists_its_schedule(client, slow_round, point_a, chief) -> None:
    from tongxin.testing.services.plans import make_plan

    make_plan(slow_round, by=chief)
    client.force_login(chief)
    page = client.get(reverse("testing:point", args=[point_a.pk])).content.decode()
    assert "07:00–09:00" in page and "1幢" in page
