"""The demo's fake residents carry valid ID numbers and mobile numbers, deterministically."""

from tongxin.core.idnumbers import is_valid
from tongxin.core.phones import normalize_mobile
from tongxin.demo.people import FamilyMaker, households_with_people

HOUSEHOLDS = [(f"同心县 测试 {n}号", 0.5, n % 3 == 0) for n in range(400)]


def _people(scale: float) -> dict[str, list[tuple[str, str, str, str]]]:
    return {
        address: [(m.name, m.id_number, m.phone, m.status) for m in members]
        for address, members in households_with_people(FamilyMaker(), iter(HOUSEHOLDS), scale)
    }


def test_id_numbers_are_valid_and_unique_and_phones_are_mobile_numbers() -> None:
    members = [m for family in _people(1.0).values() for m in family]
    assert len(members) > 1000
    assert all(is_valid(m[1]) for m in members)
    assert len({m[1] for m in members}) == len(members)
    phones = [m[2] for m in members if m[2]]
    assert phones and all(normalize_mobile(p) == p for p in phones)


def test_the_same_seed_makes_the_same_people() -> None:
    assert _people(1.0) == _people(1.0)


def test_a_smaller_scale_keeps_the_same_families_in_fewer_households() -> None:
    full, small = _people(1.0), _people(0.1)
    assert 0 < len(small) < len(full) / 4
    assert all(full[address] == family for address, family in small.items())
