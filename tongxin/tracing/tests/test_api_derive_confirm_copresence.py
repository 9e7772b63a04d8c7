from django.test import Client

from tongxin.accounts.models import ApiToken
from tongxin.tracing.factories import VenueFactory, checkin
from tongxin.tracing.models import Contact, ContactStatus

from .conftest import local, make_case


def test_investigator_derives_confirms_and_searches_over_the_api(world):
    _, key = ApiToken.issue(world.users["investigator"], "t")
    api = Client(HTTP_AUTHORIZATION=f"Bearer {key}")
    venue = VenueFactory(code="QY7")
    zhang, zheng = world.one("1801"), world.one("hb-301")
    checkin(world.incident, venue, zhang, local(9, 10), 60)
    checkin(world.incident, venue, zheng, local(9, 10, 30), 60)
    case = make_case(world, zhang)
    derived = api.post(f"/api/v1/tracing/cases/{case.pk}/derive")
    assert derived.status_code == 200
    ids = [c["contact"] for c in derived.json()]
    assert zhang.document_number not in derived.content.decode()
    confirmed = api.post(
        "/api/v1/tracing/contacts/confirm", {"contacts": ids}, content_type="application/json"
    )
    assert confirmed.json() == {"confirmed": len(ids)}
    assert not Contact.objects.filter(status=ContactStatus.CANDIDATE).exists()
    found = api.get(
        "/api/v1/tracing/copresence",
        {"venue": "QY7", "from": "2022-03-09T10:00:00+08:00", "to": "2022-03-09T12:00:00+08:00",
         "min_minutes": 20},
    )  # fmt: skip
    assert found.status_code == 200, found.content
    people = {p["document"]: p["overlap_minutes"] for p in found.json()}
    assert people == {zhang.document_masked: 60, zheng.document_masked: 60}
