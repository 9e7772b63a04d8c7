import datetime as dt

import pytest

from tongxin.accounts.jurisdiction import jurisdiction_of
from tongxin.accounts.models import Role, User
from tongxin.factories import PersonFactory, UnitFactory, UserFactory, assign, household
from tongxin.people.models import Person
from tongxin.places.models import Place
from tongxin.units.models import Unit, UnitAssignment

pytestmark = pytest.mark.django_db


@pytest.fixture
def two_estates() -> tuple[Place, Place]:
    sunny = household("阳光小区", "1", "101").parent.parent
    happy = household("幸福小区", "1", "101").parent.parent
    return sunny, happy


def test_unit_staff_see_only_their_assigned_places_and_below(two_estates: tuple) -> None:
    sunny, happy = two_estates
    unit = UnitFactory()
    assign(unit, sunny)
    staff = UserFactory(unit=unit, role=Role.GRID_STAFF)
    visible = Place.objects.visible_to(staff)
    assert set(visible.values_list("pk", flat=True)) == set(
        Place.objects.under(sunny).values_list("pk", flat=True)
    )
    assert not visible.filter(pk=happy.pk).exists()


def test_unit_staff_see_only_residents_of_their_places(two_estates: tuple) -> None:
    sunny, happy = two_estates
    inside = PersonFactory(household=Place.objects.under(sunny).get(kind="household"))
    outside = PersonFactory(household=Place.objects.under(happy).get(kind="household"))
    unit = UnitFactory()
    assign(unit, sunny)
    staff = UserFactory(unit=unit, role=Role.UNIT_LEADER)
    assert list(Person.objects.visible_to(staff)) == [inside]
    assert outside not in Person.objects.visible_to(staff)


def test_command_post_sees_the_county(two_estates: tuple) -> None:
    PersonFactory.create_batch(3)
    chief = UserFactory(role=Role.COMMAND_POST)
    assert Person.objects.visible_to(chief).count() == Person.objects.count()
    assert Place.objects.visible_to(chief).count() == Place.objects.count()


def test_ended_assignment_no_longer_grants_access(two_estates: tuple) -> None:
    sunny, _ = two_estates
    unit = UnitFactory()
    UnitAssignment.objects.create(
        unit=unit, place=sunny, starts_on=dt.date(2022, 3, 1), ends_on=dt.date(2022, 4, 1)
    )
    staff = UserFactory(unit=unit, role=Role.GRID_STAFF)
    assert not Place.objects.visible_to(staff).exists()


def test_roles_without_resident_access_see_no_residents(two_estates: tuple) -> None:
    PersonFactory()
    lab = UserFactory(role=Role.LAB_LIAISON)
    admin = UserFactory(role=Role.SYSADMIN)
    assert not Person.objects.visible_to(lab).exists()
    assert not Person.objects.visible_to(admin).exists()


def test_user_without_unit_or_role_sees_nothing(two_estates: tuple) -> None:
    PersonFactory()
    nobody = UserFactory(role="", unit=None)
    assert not Place.objects.visible_to(nobody).exists()
    assert jurisdiction_of(nobody).paths == ()


def test_nested_assignments_are_merged(two_estates: tuple) -> None:
    sunny, _ = two_estates
    unit = UnitFactory()
    assign(unit, sunny)
    assign(unit, Place.objects.under(sunny).get(kind="building"))
    staff = UserFactory(unit=unit)
    assert jurisdiction_of(staff).paths == (sunny.path,)


def test_units_and_staff_lists_are_scoped() -> None:
    mine, theirs = UnitFactory(), UnitFactory()
    me = UserFactory(unit=mine, role=Role.UNIT_LEADER)
    colleague = UserFactory(unit=mine)
    UserFactory(unit=theirs)
    assert list(Unit.objects.visible_to(me)) == [mine]
    assert set(User.objects.visible_to(me)) == {me, colleague}
