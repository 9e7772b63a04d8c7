"""A registry record says what the grid and the drivers need: a dialysis record has a hospital
and a schedule, a pregnancy a due date, chronic medicine a medicine; one current per kind."""

import datetime as dt

import pytest

from tongxin.accounts.models import Role, User
from tongxin.care.models import CareNeed, Hospital, NeedKind
from tongxin.care.services import registry as reg
from tongxin.factories import UserFactory

from .conftest import County, resident

pytestmark = pytest.mark.django_db


def test_each_kind_needs_its_details(county: County, hospital: Hospital, sunny_grid: User) -> None:
    person = resident(county.sunny_101, "甲")
    with pytest.raises(reg.CareError, match="透析医院"):
        reg.add_need(sunny_grid, person, NeedKind.DIALYSIS, weekdays="135")
    with pytest.raises(reg.CareError, match="每周透析日"):
        reg.add_need(sunny_grid, person, NeedKind.DIALYSIS, hospital=hospital)
    with pytest.raises(reg.CareError, match="1–7"):
        reg.add_need(sunny_grid, person, NeedKind.DIALYSIS, hospital=hospital, weekdays="18")
    with pytest.raises(reg.CareError, match="预产期"):
        reg.add_need(sunny_grid, person, NeedKind.PREGNANCY)
    with pytest.raises(reg.CareError, match="药品"):
        reg.add_need(sunny_grid, person, NeedKind.CHRONIC, frequency="每日")
    assert not CareNeed.objects.exists()

    need = reg.add_need(
        sunny_grid, person, NeedKind.DIALYSIS, hospital=hospital, weekdays="周五、一，三",
        session_time=dt.time(7, 30), due_date=dt.date(2022, 5, 1),
    )  # fmt: skip
    assert (need.weekdays, need.due_date, need.recorded_by) == ("135", None, sunny_grid)
    with pytest.raises(reg.CareError, match="已有一条在册"):
        reg.add_need(sunny_grid, person, NeedKind.DIALYSIS, hospital=hospital, weekdays="246")

    reg.end_need(sunny_grid, need, on=dt.date(2022, 3, 10), reason="转外地透析")
    again = reg.add_need(sunny_grid, person, NeedKind.DIALYSIS, hospital=hospital, weekdays="246")
    assert CareNeed.objects.filter(person=person).count() == 2
    with pytest.raises(reg.CareError, match="已结束"):
        reg.update_need(sunny_grid, need, weekdays="7")
    assert again.weekdays == "246"


def test_only_the_grid_and_the_command_post_keep_it(
    county: County, hospital: Hospital, sunny_grid: User
) -> None:
    person = resident(county.sunny_101, "甲")
    hotline = UserFactory(role=Role.HELPDESK)
    with pytest.raises(reg.NotAllowed):
        reg.add_need(hotline, person, NeedKind.ELDERLY_ALONE)
    neighbour = resident(county.happy_101, "乙")
    with pytest.raises(Exception) as missing:
        reg.add_need(sunny_grid, neighbour, NeedKind.ELDERLY_ALONE)
    assert missing.type.__name__ == "Http404"
    chief = UserFactory(role=Role.COMMAND_POST)
    assert reg.add_need(chief, neighbour, NeedKind.INFANT).kind == NeedKind.INFANT


def test_the_page_form_shows_only_the_kinds_fields(
    client, county: County, hospital: Hospital, sunny_grid: User
) -> None:
    person = resident(county.sunny_101, "甲")
    client.force_login(sunny_grid)
    chooser = client.get(f"/care/people/{person.pk}/add/").content.decode()
    assert "?kind=dialysis" in chooser and 'name="medicine"' not in chooser
    form = client.get(f"/care/people/{person.pk}/add/?kind=dialysis").content.decode()
    assert 'name="weekdays"' in form and 'name="medicine"' not in form
    response = client.post(
        f"/care/people/{person.pk}/add/?kind=dialysis",
        {"hospital": hospital.pk, "weekdays": ["2", "4", "6"], "session_time": "13:00"},
    )
    assert response.status_code == 302
    need = CareNeed.objects.get(person=person)
    assert (need.kind, need.weekdays, need.session_time) == ("dialysis", "246", dt.time(13))
    refused = client.post(f"/care/people/{person.pk}/add/?kind=pregnancy", {})
    assert refused.status_code == 200 and "预产期" in refused.content.decode()
