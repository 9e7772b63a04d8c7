"""A unit's user imports only inside their jurisdiction, and learns nothing outside it."""

from pathlib import Path

import pytest

from tongxin.accounts.models import Role
from tongxin.audit.models import AuditEvent
from tongxin.factories import PersonFactory, UnitFactory, UserFactory, assign, household
from tongxin.imports.services import import_residents
from tongxin.imports.tests.workbooks import resident, write_xlsx
from tongxin.people.models import Person
from tongxin.people.services import PermissionDenied
from tongxin.places.models import Place, PlaceKind

pytestmark = pytest.mark.django_db

OUTSIDE = "该住户不在您的辖区内"


@pytest.fixture
def unit_user(county):
    sunny = household("阳光小区", "1", "101").parent.parent  # the estate
    household("明月小区", "1", "101")
    unit = UnitFactory()
    assign(unit, sunny)
    return UserFactory(role=Role.GRID_STAFF, unit=unit)


def test_rows_outside_the_jurisdiction_are_rejected(unit_user, tmp_path: Path) -> None:
    rows = [
        resident("甲", estate="阳光小区", building="2", room="201"),  # new building, inside
        resident("乙", estate="明月小区", room="102"),  # an existing estate outside
        resident("丙", estate="新建小区"),  # would be a new estate: outside
        resident("丁", township="华埠镇", community="华丰村", estate="华丰上村"),
    ]
    places = Place.objects.count()

    result = import_residents(write_xlsx(tmp_path / "f.xlsx", rows), user=unit_user)

    assert (result.created, result.rejected) == (1, 3)
    assert result.rejected_reasons == {"outside_jurisdiction": 3}
    assert {p.message for p in result.problems} == {OUTSIDE}
    assert list(Person.objects.values_list("name", flat=True)) == ["甲"]
    assert Place.objects.count() == places + 2  # building 2 and room 201 only
    assert not Place.objects.filter(name__in=["新建小区", "华埠镇"]).exists()


def test_a_person_registered_outside_is_not_moved_and_not_disclosed(
    unit_user, tmp_path: Path
) -> None:
    elsewhere = Place.objects.get(kind=PlaceKind.HOUSEHOLD, address__contains="明月小区")
    stranger = PersonFactory(name="王秘密", household=elsewhere, phone="13812345678")
    rows = [resident("改名", stranger.document_number, phone="13900000000")]

    result = import_residents(write_xlsx(tmp_path / "f.xlsx", rows), user=unit_user)

    assert result.rejected_reasons == {"person_outside_jurisdiction": 1}
    message = result.problems[0].message
    # No registry oracle: nothing says the number is registered (elsewhere or at all).
    assert "登记" not in message and "辖区以外" not in message and "辖区外" not in message
    assert "王秘密" not in message and "明月小区" not in message
    assert "登记" not in str(result.problems[0].as_dict())
    looked_up = AuditEvent.objects.get(detail__has_key="person_ids")
    assert looked_up.detail["person_ids"] == [stranger.pk]
    stranger.refresh_from_db()
    assert (stranger.name, stranger.household_id, stranger.phone) == (
        "王秘密",
        elsewhere.pk,
        "13812345678",
    )


def test_estates_outside_are_not_found_by_name(unit_user, tmp_path: Path) -> None:
    rows = [
        resident("甲", township="", community="", estate="阳光小区", room="102"),
        resident("乙", township="", community="", estate="明月小区", room="102"),
    ]
    result = import_residents(write_xlsx(tmp_path / "f.xlsx", rows), user=unit_user)
    assert result.created == 1
    assert result.rejected_reasons == {"estate_not_located": 1}


def test_a_county_wide_user_imports_anywhere(county, tmp_path: Path) -> None:
    user = UserFactory(role=Role.COMMAND_POST)
    rows = [
        resident("甲"),
        resident("丁", township="华埠镇", community="华丰村", estate="华丰上村"),
    ]
    result = import_residents(write_xlsx(tmp_path / "f.xlsx", rows), user=user)
    assert result.created == 2


def test_a_role_without_the_import_permission_is_refused(county, tmp_path: Path) -> None:
    user = UserFactory(role=Role.TEST_POINT)
    with pytest.raises(PermissionDenied):
        import_residents(write_xlsx(tmp_path / "f.xlsx", [resident()]), user=user)
    assert Person.objects.count() == 0
