"""The in-site sampling page: the site's people and samplers stationed there open it (their
home page links it), others get 404; a scanned card and tube record a sample, an unknown card
is answered clearly and nothing is stored."""

import datetime as dt

import pytest
from django.test import Client

from tongxin.accounts.models import Role
from tongxin.factories import UnitFactory, UserFactory, household, make_id_number
from tongxin.isolation import factories as f
from tongxin.people.models import Person
from tongxin.sampling.models import SampleEvent

pytestmark = pytest.mark.django_db


@pytest.fixture
def stay(inc, chief, escort, site):
    exposed = dt.datetime.now(dt.UTC) - dt.timedelta(days=3)
    person = f.resident(household("阳光小区", "1", "1"), name="赵阿婆")
    entry = f.listed(inc, person, exposure=exposed)
    return f.admitted(entry, site, planner=chief, escort=escort, at=exposed)


def test_a_stationed_sampler_finds_and_uses_the_page(client: Client, stay, site):
    team = UnitFactory(name="县医院采样队")
    site.units.add(team)
    sampler = UserFactory(role=Role.TEST_POINT, unit=team)
    client.force_login(sampler)
    home = client.get("/").content.decode()
    assert f"/isolation/sites/{site.pk}/sampling/" in home
    url = f"/isolation/sites/{site.pk}/sampling/"
    page = client.get(url).content.decode()
    assert "赵阿婆" in page and stay.entry.document_masked in page

    number = Person.objects.get(pk=stay.entry.person_id).document_number
    answer = client.post(url, {"document_number": number, "tube": "GLPAGE001"}, follow=True)
    assert "已登记采样：赵阿婆" in answer.content.decode()
    assert SampleEvent.objects.filter(tube__barcode="GLPAGE001").count() == 1

    unknown = {"document_number": make_id_number(), "tube": "GLPAGE002"}
    answer = client.post(url, unknown, follow=True)
    assert "本隔离点没有持此证件的在住人员" in answer.content.decode()
    assert not SampleEvent.objects.filter(tube__barcode="GLPAGE002").exists()


def test_others_get_404(client: Client, stay, site, escort):
    other_lead = UserFactory(role=Role.TRANSFER)
    f.site_with_rooms("城南隔离点", lead=other_lead)
    for user in (escort, other_lead):
        client.force_login(user)
        assert client.get(f"/isolation/sites/{site.pk}/sampling/").status_code == 404
        assert f"/isolation/sites/{site.pk}/sampling/" not in client.get("/").content.decode()
