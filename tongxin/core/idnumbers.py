"""Resident identity card numbers (居民身份证号码, GB 11643-1999)."""

import datetime as dt
import re
import unicodedata
from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _

WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
CHECK_CHARS = "10X98765432"
# First two digits: province-level divisions (GB/T 2260), plus 83 for Taiwan residents'
# mainland residence permits (港澳台居民居住证 use 81/82/83).
PROVINCES = {
    "11", "12", "13", "14", "15", "21", "22", "23", "31", "32", "33", "34", "35", "36", "37",
    "41", "42", "43", "44", "45", "46", "50", "51", "52", "53", "54", "61", "62", "63", "64",
    "65", "71", "81", "82", "83",
}  # fmt: skip


class InvalidIdNumber(ValueError):
    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


@dataclass(frozen=True)
class IdNumber:
    number: str
    birth_date: dt.date
    sex: str  # "M" or "F"


def normalize(raw: str) -> str:
    """Full-width characters to half-width, spaces and dashes removed, x upper-cased."""
    text = unicodedata.normalize("NFKC", raw)
    return re.sub(r"[\s\-\u3000]", "", text).upper()


def check_char(first17: str) -> str:
    return CHECK_CHARS[sum(map(int.__mul__, map(int, first17), WEIGHTS)) % 11]


def upgrade_15(number15: str) -> str:
    """A first-generation 15-digit number as its 18-digit form (born 19xx)."""
    first17 = number15[:6] + "19" + number15[6:]
    return first17 + check_char(first17)


_PLAIN = re.compile(r"[0-9]{17}[0-9X]")


def parse(raw: str, today: dt.date | None = None) -> IdNumber:
    # A number read from a card's chip is already plain: no normalisation to do (a bulk
    # upload checks thousands a second).
    number = raw if _PLAIN.fullmatch(raw) else normalize(raw)
    if re.fullmatch(r"\d{15}", number):
        number = upgrade_15(number)
    if len(number) != 18:
        raise InvalidIdNumber(str(_("身份证号码应为18位（现为%(n)d位）") % {"n": len(number)}))
    if not re.fullmatch(r"\d{17}[\dX]", number):
        raise InvalidIdNumber(str(_("身份证号码只能包含数字，末位可为X")))
    if number[:2] not in PROVINCES:
        raise InvalidIdNumber(str(_("身份证号码的地区码无效")))
    try:
        birth = dt.date(int(number[6:10]), int(number[10:12]), int(number[12:14]))
    except ValueError:
        raise InvalidIdNumber(str(_("身份证号码中的出生日期无效"))) from None
    today = today or dt.date.today()
    if birth > today or birth.year < 1890:
        raise InvalidIdNumber(str(_("身份证号码中的出生日期无效")))
    if check_char(number[:17]) != number[17]:
        raise InvalidIdNumber(str(_("身份证号码校验位错误")))
    return IdNumber(number, birth, "M" if int(number[16]) % 2 else "F")


def is_valid(raw: str) -> bool:
    try:
        parse(raw)
    except InvalidIdNumber:
        return False
    return True
