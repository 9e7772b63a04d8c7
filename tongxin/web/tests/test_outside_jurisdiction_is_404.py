"""A unit's staff cannot reach any place, resident or job outside their unit's estates."""

import pytest
from django.core.files.base import ContentFile
from django.urls import reverse

from tongxin.audit.models import AuditAction, AuditEvent
from tongxin.imports.models import ImportJob, ImportStatus

OUTSIDE_HOMES = ["happy-1-101", "huabu-3-301"]
OUTSIDE_PEOPLE = ["qian", "sun", "zhou"]


@pytest.mark.parametrize("home", OUTSIDE_HOMES)
def test_place_pages_outside_are_404(login, world, home):
    client = login("leader")
    household = world.households[home]
    for place in (household, household.parent, world.estate(household.address.split()[3])):
        assert client.get(reverse("place", args=[place.pk])).status_code == 404
        url = reverse("place_children", args=[place.pk])
        assert client.get(url, headers={"HX-Request": "true"}).status_code == 404
    assert client.get(reverse("place", args=[world.county.pk])).status_code == 404


@pytest.mark.parametrize("who", OUTSIDE_PEOPLE)
def test_resident_detail_outside_is_404_and_not_audited_as_a_view(login, world, who):
    person = world.people[who]
    response = login("leader").get(reverse("resident", args=[person.pk]))
    assert response.status_code == 404
    assert not AuditEvent.objects.filter(
        action=AuditAction.VIEW, target_id=str(person.pk), target_type="people.person"
    ).exists()


@pytest.mark.parametrize("field", ["document_number", "phone"])
def test_reveal_outside_is_404_and_reveals_nothing(login, world, field):
    person = world.people["sun"]
    response = login("leader").post(
        reverse("resident_reveal", args=[person.pk, field]), headers={"HX-Request": "true"}
    )
    assert response.status_code == 404
    assert person.document_number.encode() not in response.content
    assert person.phone.encode() not in response.content
    assert not AuditEvent.objects.filter(action=AuditAction.REVEAL).exists()


def test_search_never_returns_people_outside(login, world):
    client = login("leader")
    outside = [world.people[w] for w in OUTSIDE_PEOPLE]
    queries = [""]
    for person in outside:
        queries += [
            person.name,
            person.name_pinyin,
            person.name_initials,
            person.document_number,
            person.document_number[-4:],
            person.phone,
            person.phone[-4:],
            person.household.address,
            "小区",
        ]
    for q in queries:
        results = client.post(
            reverse("residents"), {"q": q}, headers={"HX-Request": "true", "HX-Target": "results"}
        ).content.decode()
        page = client.post(reverse("residents"), {"q": q}).content.decode()
        cards = results[results.index('<ul class="cards">') :]
        for person in outside:
            assert person.name not in cards, q
            assert reverse("resident", args=[person.pk]) not in results + page, q


def test_search_inside_finds_by_full_id_and_phone(login, world):
    client = login("leader")
    zhang = world.people["zhang"]
    for q in (zhang.document_number, zhang.phone, zhang.document_number[-4:], "zs", "zhangsan"):
        html = client.post(reverse("residents"), {"q": q}).content.decode()
        assert reverse("resident", args=[zhang.pk]) in html, q


def test_area_filter_outside_is_404(login, world):
    client = login("leader")
    for place in (world.huabu, world.happiness, world.county):
        assert client.get(reverse("residents"), {"area": place.pk}).status_code == 404
        assert client.get(reverse("export_residents"), {"area": place.pk}).status_code == 404
        response = client.post(reverse("export_residents"), {"area": place.pk, "fmt": "csv"})
        assert response.status_code == 404


def test_import_job_of_another_unit_is_404(login, world):
    other = ImportJob.objects.create(
        original_name="华埠.xlsx",
        created_by=world.users["leader_b"],
        status=ImportStatus.DONE,
        file=ContentFile(b"x", name="x.xlsx"),
        errors_file=ContentFile(b"y", name="y.xlsx"),
    )
    client = login("leader")
    for name in ("import_job", "import_errors"):
        assert client.get(reverse(name, args=[other.pk])).status_code == 404
    assert client.post(reverse("import_confirm", args=[other.pk])).status_code == 404
    assert "华埠.xlsx" not in client.get(reverse("imports")).content.decode()
    # The owning unit does see it.
    assert login("leader_b").get(reverse("import_job", args=[other.pk])).status_code == 200
