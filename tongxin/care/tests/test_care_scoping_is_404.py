"""Care records and runs outside the user's jurisdiction do not exist for them (404)."""

import pytest
from django.test import Client

from tongxin.accounts.models import Role, User
from tongxin.care.models import CareNeed, GreenRun, Hospital, NeedKind, RunPassenger
from tongxin.care.services import runs, special_population_counts
from tongxin.care.services.registry import registry_rows, view_care_record
from tongxin.factories import UnitFactory, UserFactory, assign

from .conftest import MONDAY, County, dialysis, resident

pytestmark = pytest.mark.django_db


@pytest.fixture
def people(county: County, hospital: Hospital) -> dict[str, int]:
    mine = resident(county.sunny_101, "本小区")
    theirs = resident(county.happy_101, "邻小区")
    far = resident(county.river_101, "华埠")
    for person in (mine, theirs, far):
        dialysis(person, hospital, "1")
    CareNeed.objects.create(person=mine, kind=NeedKind.ELDERLY_ALONE)
    return {"mine": mine.pk, "theirs": theirs.pk, "far": far.pk}


def login(client: Client, user: User) -> Client:
    client.force_login(user)
    return client


def test_grid_staff_see_their_estate_only(
    client: Client, sunny_grid: User, people: dict[str, int], county: County
) -> None:
    c = login(client, sunny_grid)
    assert c.get(f"/care/people/{people['mine']}/").status_code == 200
    for pk in (people["theirs"], people["far"]):
        assert c.get(f"/care/people/{pk}/").status_code == 404
        assert c.get(f"/care/people/{pk}/add/?kind=infant").status_code == 404
    theirs_need = CareNeed.objects.get(person_id=people["theirs"])
    assert c.get(f"/care/needs/{theirs_need.pk}/edit/").status_code == 404
    assert c.post(f"/care/needs/{theirs_need.pk}/end/", {"reason": "x"}).status_code == 404
    assert c.get(f"/care/?area={county.happy.pk}").status_code == 404

    names = [r.person.name for r in registry_rows(sunny_grid)]
    assert names == ["本小区"]
    assert special_population_counts(county.qinyang, sunny_grid) == {"血透": 1, "独居老人": 1}


def test_runs_of_another_township_are_404_but_a_crew_sees_its_own(
    client: Client, people: dict[str, int], county: County
) -> None:
    result = runs.plan_runs(MONDAY)
    qinyang = GreenRun.objects.get(township=county.qinyang)
    huabu = GreenRun.objects.get(township=county.huabu)
    assert len(result.runs) == 2

    township_unit = UnitFactory(name="芹阳办事处")
    assign(township_unit, county.qinyang)
    leader = UserFactory(role=Role.UNIT_LEADER, unit=township_unit)
    c = login(client, leader)
    assert c.get(f"/care/runs/{qinyang.pk}/").status_code == 200
    assert c.get(f"/care/runs/{huabu.pk}/").status_code == 404
    assert c.get(f"/care/runs/{huabu.pk}/manifest/").status_code == 404
    p = RunPassenger.objects.filter(run=huabu).first()
    assert c.post(f"/care/passengers/{p.pk}/pickup/").status_code == 404
    assert c.post(f"/care/passengers/{p.pk}/slot/", {"slot": ""}).status_code == 404

    driver = UserFactory(role=Role.SUPPORT_TEAM)
    huabu.driver = driver
    huabu.save()
    c = login(Client(), driver)
    assert c.get(f"/care/runs/{huabu.pk}/manifest/").status_code == 200
    assert c.get(f"/care/runs/{qinyang.pk}/manifest/").status_code == 404
    assert c.get(f"/care/people/{people['far']}/").status_code == 404  # a manifest, not the record


def test_roles_without_care_access_see_nothing(client: Client, people: dict[str, int]) -> None:
    sampler = UserFactory(role=Role.TEST_POINT)
    c = login(client, sampler)
    assert c.get(f"/care/people/{people['mine']}/").status_code == 404
    assert c.get("/care/").status_code == 403
    assert CareNeed.objects.visible_to(sampler).count() == 0
    with pytest.raises(Exception) as missing:
        view_care_record(sampler, people["mine"])
    assert missing.type.__name__ == "Http404"


def test_the_hotline_reads_but_does_not_edit(client: Client, people: dict[str, int]) -> None:
    c = login(client, UserFactory(role=Role.HELPDESK))
    assert c.get(f"/care/people/{people['far']}/").status_code == 200
    assert c.get(f"/care/people/{people['far']}/add/").status_code == 403
    need = CareNeed.objects.filter(person_id=people["far"]).first()
    assert c.get(f"/care/needs/{need.pk}/edit/").status_code == 403
