import pytest

from tongxin.factories import PersonFactory, household
from tongxin.people.models import Person
from tongxin.people.services import search

pytestmark = pytest.mark.django_db


@pytest.fixture
def zhang() -> Person:
    PersonFactory(
        name="李四",
        document_number="330824198001011238",
        phone="13911112222",
        household=household("幸福小区", "2", "202"),
    )
    return PersonFactory(
        name="张三丰",
        document_number="11010519491231002X",
        phone="13800138000",
        household=household("阳光小区", "3", "301"),
    )


@pytest.mark.parametrize(
    "query",
    [
        "张三",
        "zhangsan",
        "ZhangSanFeng",
        "zsf",
        "002X",
        "002x",
        "8000",
        "11010519491231002X",
        "110105194912310 02x",
        "13800138000",
        "阳光小区 3幢",
    ],
)
def test_finds_person_by_every_supported_key(zhang: Person, query: str) -> None:
    assert list(search(Person.objects.all(), query)) == [zhang]


def test_blank_query_returns_everyone(zhang: Person) -> None:
    assert search(Person.objects.all(), "  ").count() == 2


def test_partial_id_number_matches_nothing(zhang: Person) -> None:
    assert not search(Person.objects.all(), "110105194912").exists()
