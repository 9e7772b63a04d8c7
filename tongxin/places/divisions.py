"""Administrative division codes (GB/T 2260): the six digits that name a county.

A county-level code is two digits of province, two of prefecture and two of county. The
province must be one of those GB/T 2260 lists; a county code never ends in 00 (that is the
prefecture itself) and its prefecture digits are never 00 (that is the province).
"""

import re

from django.utils.translation import gettext as _

PROVINCES = {
    "11", "12", "13", "14", "15", "21", "22", "23", "31", "32", "33", "34", "35", "36", "37",
    "41", "42", "43", "44", "45", "46", "50", "51", "52", "53", "54", "61", "62", "63", "64",
    "65", "71", "81", "82",
}  # fmt: skip


class InvalidDivisionCode(ValueError):
    pass


def check_county_code(code: str) -> str:
    """The code, normalized, or InvalidDivisionCode with the reason in Chinese."""
    code = code.strip()
    if not re.fullmatch(r"\d{6}", code):
        raise InvalidDivisionCode(_("行政区划代码应为6位数字（GB/T 2260），如 330824"))
    if code[:2] not in PROVINCES:
        raise InvalidDivisionCode(
            _("行政区划代码前两位“%(p)s”不是省级行政区代码") % {"p": code[:2]}
        )
    if code[2:4] == "00" or code[4:] == "00":
        raise InvalidDivisionCode(
            _("“%(code)s”不是县级行政区划代码（县级代码的第3-4位和第5-6位都不为00）")
            % {"code": code}
        )
    return code


def belongs_to_county(code: str, county_code: str) -> bool:
    """A township (9 digits) or village (12 digits) statistical code under the county."""
    return bool(county_code) and code.startswith(county_code)
