"""Co-presence as a tool: who overlapped a case's own check-ins in a window (masked), not only
who was at one venue."""

from django.test import Client
from django.urls import reverse

from tongxin.tracing.factories import VenueFactory, checkin

from .conftest import local, make_case


def test_who_overlapped_the_cases_stays(world):
    market, school = VenueFactory(code="M1"), VenueFactory(code="S1")
    patient = world.one("1801")
    case = make_case(world, patient)
    checkin(world.incident, market, patient, local(9, 10, 0), 60)  # 10:00–11:00
    checkin(world.incident, school, patient, local(9, 14, 0), 60)  # 14:00–15:00
    long_stay, short_stay, elsewhere = (
        world.one("hb-301"), world.one("hb-301", 1), world.one("1701"),
    )  # fmt: skip
    checkin(world.incident, market, long_stay, local(9, 10, 30), 60)  # 30 minutes together
    checkin(world.incident, school, short_stay, local(9, 14, 55), 30)  # 5 minutes together
    checkin(world.incident, market, elsewhere, local(9, 12, 0), 30)  # after the case left
    client = Client()
    client.force_login(world.users["investigator"])
    params = {"case": "病例1", "from": "2022-03-09T00:00", "to": "2022-03-10T00:00"}
    page = client.get(reverse("tracing:copresence"), params)
    found = {p.person_id: p.minutes for p in page.context["people"]}
    assert found == {long_stay.pk: 30, short_stay.pk: 5}
    body = page.content.decode()
    assert long_stay.name not in body and long_stay.document_masked in body  # names masked
    assert case.label in body
    at_least = client.get(reverse("tracing:copresence"), {**params, "min": "15"})
    assert [p.person_id for p in at_least.context["people"]] == [long_stay.pk]
    # Grid staff open no case's trajectory.
    grid = Client()
    grid.force_login(world.users["grid"])
    assert grid.get(reverse("tracing:copresence"), params).status_code == 403
