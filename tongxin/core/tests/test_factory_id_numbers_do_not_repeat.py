"""Test data: ID numbers made for one fixed birth date never repeat (a random serial did, one
pair in a thousand, and the registry's unique blind index failed a test now and then)."""

from tongxin.core import idnumbers
from tongxin.factories import make_id_number


def test_a_thousand_numbers_of_one_birth_date_are_distinct_and_valid() -> None:
    numbers = [make_id_number(birth="19800101") for _ in range(1000)]
    assert len(set(numbers)) == 1000
    assert all(idnumbers.parse(n).birth_date.isoformat() == "1980-01-01" for n in numbers[:50])
