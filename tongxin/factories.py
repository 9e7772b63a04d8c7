"""factory_boy factories shared by every app's tests (test-only; needs the dev extras)."""

import itertools
import random
from typing import Any

import factory
from faker import Faker

from tongxin.accounts.models import Role, User
from tongxin.core.idnumbers import check_char
from tongxin.people.models import Person
from tongxin.places.models import Place, PlaceKind
from tongxin.places.services import PlaceTree, create_county
from tongxin.units.models import Unit, UnitAssignment, UnitKind

fake = Faker("zh_CN")
_SERIALS = itertools.count()


def make_id_number(region: str = "330824", birth: str | None = None, rng: Any = random) -> str:
    """A valid 18-digit resident ID number (check digit computed)."""
    birth = birth or f"{rng.randint(1940, 2020)}{rng.randint(1, 12):02d}{rng.randint(1, 28):02d}"
    # A random serial would repeat within a test now and then when callers fix the birth date
    # (1 in 1,000 per pair: a flaky unique-constraint failure); the shared random stream walks a
    # counter instead, so the first thousand numbers of one birth date are all distinct.
    serial = next(_SERIALS) % 1000 if rng is random else rng.randint(0, 999)
    first17 = f"{region}{birth}{serial:03d}"
    return first17 + check_char(first17)


def make_mobile(rng: Any = random) -> str:
    return (
        rng.choice(["138", "139", "150", "158", "186", "188"]) + f"{rng.randint(0, 10**8 - 1):08d}"
    )


def household(
    estate: str = "阳光小区",
    building: str = "1",
    room: str = "101",
    *,
    township: str = "芹阳办事处",
    community: str = "东门社区",
    stairwell: str | None = None,
) -> Place:
    """A household place, creating the county and every level above it as needed."""
    county = create_county("开化县", "330824")
    tree = PlaceTree()
    node = tree.child(county, PlaceKind.TOWNSHIP, township, township)
    node = tree.child(node, PlaceKind.COMMUNITY, community, community)
    node = tree.child(node, PlaceKind.ESTATE, estate, estate)
    node = tree.child(node, PlaceKind.BUILDING, building, f"{building}幢")
    if stairwell:
        node = tree.child(node, PlaceKind.STAIRWELL, stairwell, f"{stairwell}单元")
    return tree.child(node, PlaceKind.HOUSEHOLD, room, f"{room}室")


class UnitFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Unit

    name = factory.Sequence(lambda n: f"县水利局{n}")
    kind = UnitKind.BUREAU


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    full_name = factory.LazyFunction(fake.name)
    role = Role.GRID_STAFF
    password = factory.PostGenerationMethodCall("set_password", "pass-word-123")

    @factory.post_generation
    def _save(obj: User, create: bool, extracted: Any, **kwargs: Any) -> None:
        if create:
            obj.save()


class PersonFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Person

    name = factory.LazyFunction(fake.name)
    document_number = factory.LazyFunction(make_id_number)
    phone = factory.LazyFunction(make_mobile)
    household = factory.LazyFunction(household)


def assign(unit: Unit, place: Place) -> UnitAssignment:
    return UnitAssignment.objects.create(unit=unit, place=place)
