import datetime as dt

import pytest

from tongxin.core import idnumbers
from tongxin.core.idnumbers import InvalidIdNumber


def test_valid_number_gives_birth_date_and_sex() -> None:
    parsed = idnumbers.parse("11010519491231002X")
    assert parsed.birth_date == dt.date(1949, 12, 31)
    assert parsed.sex == "F"


def test_lowercase_x_full_width_and_spaces_are_normalized() -> None:
    assert idnumbers.parse("１１０１０５ 1949 1231 002x").number == "11010519491231002X"


def test_fifteen_digit_number_is_upgraded_to_eighteen() -> None:
    # 15-digit 110105491231002 → 18-digit 11010519491231002X
    assert idnumbers.parse("110105491231002").number == "11010519491231002X"


@pytest.mark.parametrize(
    "raw",
    [
        "11010519491231002",
        "110105194912310021",
        "110105194913310028",
        "990105194912310021",
        "1101051949123100AX",
    ],
)
def test_invalid_numbers_are_refused(raw: str) -> None:
    with pytest.raises(InvalidIdNumber):
        idnumbers.parse(raw)


def test_future_birth_date_is_refused() -> None:
    first17 = "33082420990101001"
    with pytest.raises(InvalidIdNumber):
        idnumbers.parse(first17 + idnumbers.check_char(first17))
