"""The tracing pages: investigators work from the workbench and the case page; grids see
their contacts and never the case; the notice and the chain carry no personal data."""

import pytest
from django.test import Client

from tongxin.audit.models import AuditEvent
from tongxin.tracing.factories import VenueFactory, checkin
from tongxin.tracing.models import ContactStatus, Management, Stay
from tongxin.tracing.services import confirm_contacts
from tongxin.tracing.services.derive import derive_for_case

from .conftest import local, make_case


def client_for(user):
    c = Client()
    c.force_login(user)
    return c


@pytest.fixture
def confirmed(world):
    venue = VenueFactory(name="同心超市", address="芹阳路1号")
    patient = world.one("1801")
    checkin(world.incident, venue, patient, local(9, 10), 60)
    checkin(world.incident, venue, world.one("hb-301"), local(9, 10), 60)
    case = make_case(world, patient)
    Stay.objects.create(
        incident=world.incident,
        case=case,
        venue=venue,
        started_at=local(9, 10),
        ended_at=local(9, 11),
    )
    confirm_contacts(derive_for_case(case), world.users["investigator"])
    return case


def test_investigator_derives_and_confirms_on_the_case_page(world):
    case = make_case(world, world.one("1801"))
    c = client_for(world.users["investigator"])
    page = c.get(f"/tracing/cases/{case.pk}/")
    assert page.status_code == 200 and "病例1" in page.content.decode()
    assert AuditEvent.objects.filter(action="view", target_type="tracing.case").exists()
    c.post(f"/tracing/cases/{case.pk}/", {"action": "derive"})
    ids = list(case.contacts.values_list("pk", flat=True))
    assert ids
    r = c.post(f"/tracing/cases/{case.pk}/", {"action": "confirm", "contact": ids[:2]})
    assert r.status_code == 302
    assert case.contacts.filter(status=ContactStatus.CONFIRMED).count() == 2
    workbench = c.get("/tracing/").content.decode()
    assert "病例1" in workbench and "待确认的候选接触者" in workbench


def test_grid_contacts_page_never_shows_the_case(world, confirmed):
    patient = world.one("1801")
    c = client_for(world.users["grid"])
    assert c.get("/tracing/").status_code == 302  # the workbench is for investigators
    page = c.get("/tracing/contacts/")
    body = page.content.decode()
    assert page.status_code == 200
    assert world.one("1801", 1).document_masked in body
    assert "病例1" not in body and patient.document_masked not in body
    assert c.get(f"/tracing/cases/{confirmed.pk}/").status_code == 403
    m = Management.objects.get(person=world.one("1801", 1))
    detail = c.get(f"/tracing/contacts/{m.pk}/").content.decode()
    assert "病例1" not in detail and patient.name not in detail
    other = client_for(world.users["grid_b"])
    assert other.get(f"/tracing/contacts/{m.pk}/").status_code == 404


def test_notice_lists_venues_and_times_only(world, confirmed):
    body = client_for(world.users["investigator"]).get(f"/tracing/cases/{confirmed.pk}/notice/")
    text = body.content.decode()
    assert "病例1" in text and "同心超市" in text and "10:00–11:00" in text
    patient = world.one("1801")
    for secret in (patient.name, patient.document_masked, "1801"):
        assert secret not in text


def test_chain_graph_links_case_close_and_secondary(world, confirmed):
    c = client_for(world.users["command"])
    data = c.get("/tracing/chain.json").json()
    names = {n["name"] for n in data["nodes"]}
    assert "病例1" in names
    assert any(n.startswith("密接#") for n in names) and any(n.startswith("次密接#") for n in names)
    page = c.get("/tracing/chain/").content.decode()
    assert "echarts.min.js" in page and "chain-data" in page
    assert client_for(world.users["grid"]).get("/tracing/chain/").status_code == 403


def test_venues_import_and_copresence_pages(world):
    VenueFactory(code="QY0100", name="城关菜场")
    c = client_for(world.users["investigator"])
    from django.core.files.uploadedfile import SimpleUploadedFile

    data = (
        f"场所码,证件号码,扫码时间\nQY0100,{world.one('1801').document_number},2022-03-09 10:00\n"
    )
    r = c.post("/tracing/venues/", {"file": SimpleUploadedFile("s.csv", data.encode())})
    assert r.status_code == 200 and "导入结果" in r.content.decode()
    page = c.get(
        "/tracing/copresence/",
        {"venue": "QY0100", "from": "2022-03-09T09:00", "to": "2022-03-09T12:00", "min": "10"},
    ).content.decode()
    assert world.one("1801").document_masked in page
    assert world.one("1801").name not in page  # names masked on the search
