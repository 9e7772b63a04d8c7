"""Care records are health data: every view is audited like a resident view, every change is
history, and lists show only masked data and tags."""

import datetime as dt

import pytest
from django.test import Client

from tongxin.accounts.models import User
from tongxin.audit.models import AuditEvent
from tongxin.care.models import CareNeed, Hospital, NeedKind

from .conftest import MONDAY, County, dialysis, resident

pytestmark = pytest.mark.django_db


def test_opening_a_care_page_records_who_saw_what(
    client: Client, sunny_grid: User, county: County, hospital: Hospital
) -> None:
    person = resident(county.sunny_101, "王大爷")
    need = dialysis(person, hospital, "135", dt.time(7, 30))
    client.force_login(sunny_grid)

    response = client.get(f"/care/people/{person.pk}/")

    assert response.status_code == 200
    body = response.content.decode()
    assert "周一/三/五 07:30" in body and "县人民医院" in body
    views = AuditEvent.objects.filter(action="view", actor=sunny_grid)
    assert {(e.target_type, e.target_id) for e in views} == {
        ("people.person", str(person.pk)),
        ("care.careneed", str(need.pk)),
    }
    assert all(e.channel == "web" for e in views)
    # The raw ID number and phone never reach the page.
    assert person.document_number not in body and person.phone not in body


def test_changes_are_history_on_the_care_page(
    client: Client, sunny_grid: User, county: County, hospital: Hospital
) -> None:
    person = resident(county.sunny_101, "李女士")
    client.force_login(sunny_grid)
    response = client.post(
        f"/care/people/{person.pk}/add/?kind=pregnancy",
        {"due_date": "2022-04-10", "hospital": hospital.pk},
    )
    assert response.status_code == 302
    need = CareNeed.objects.get(person=person)
    assert (need.kind, need.due_date, need.recorded_by) == (
        NeedKind.PREGNANCY, dt.date(2022, 4, 10), sunny_grid
    )  # fmt: skip
    client.post(
        f"/care/needs/{need.pk}/edit/",
        {"due_date": "2022-04-03", "hospital": hospital.pk, "notes": "胎位不正"},
    )
    need.refresh_from_db()
    assert need.due_date == dt.date(2022, 4, 3)
    update = AuditEvent.objects.get(target_type="care.careneed", action="update")
    assert update.changes["due_date"] == ["2022-04-10", "2022-04-03"]
    assert update.actor == sunny_grid

    page = client.get(f"/care/people/{person.pk}/").content.decode()
    assert "2022-04-10 → 2022-04-03" in page

    client.post(f"/care/needs/{need.pk}/end/", {"reason": "已分娩"})
    need.refresh_from_db()
    assert need.ended_on is not None and "已分娩" in need.notes
    assert not CareNeed.objects.current().filter(person=person).exists()


def test_the_registry_list_shows_tags_not_health_details(
    client: Client, sunny_grid: User, county: County, hospital: Hospital
) -> None:
    person = resident(county.sunny_101, "张大妈")
    dialysis(person, hospital, "246")
    CareNeed.objects.create(
        person=person, kind=NeedKind.CHRONIC, medicine="胰岛素", frequency="每日"
    )
    client.force_login(sunny_grid)

    body = client.get("/care/?kind=dialysis").content.decode()

    assert "张大妈" in body and "血透" in body and "慢病用药" in body
    assert "胰岛素" not in body and "县人民医院" not in body
    assert person.document_masked in body
    assert person.document_number not in body and person.phone not in body
    assert not AuditEvent.objects.filter(action="view").exists()


def test_the_manifest_view_is_audited(client: Client, county: County, hospital: Hospital) -> None:
    from tongxin.accounts.models import Role
    from tongxin.care.services import runs
    from tongxin.factories import UserFactory

    person = resident(county.sunny_101, "甲")
    dialysis(person, hospital, "1")
    (run,) = runs.plan_runs(MONDAY).runs
    chief = UserFactory(role=Role.COMMAND_POST)
    client.force_login(chief)
    assert client.get(f"/care/runs/{run.pk}/manifest/").status_code == 200
    event = AuditEvent.objects.get(action="view", target_type="care.greenrun")
    assert event.detail == {"manifest": [person.pk]}
