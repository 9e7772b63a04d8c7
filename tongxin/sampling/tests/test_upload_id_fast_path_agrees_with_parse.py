"""The bulk upload's fast check of a plain ID number accepts exactly what `idnumbers.parse`
accepts unchanged: it may only say "ask parse", never let through a number parse refuses."""

import datetime as dt

from hypothesis import given, settings
from hypothesis import strategies as st

from tongxin.core import idnumbers
from tongxin.sampling.services.recording import _plain_resident_id

TODAY = dt.date(2026, 12, 6)


def _parses_unchanged(number: str) -> bool:
    try:
        return idnumbers.parse(number, TODAY).number == number
    except idnumbers.InvalidIdNumber:
        return False


@st.composite
def id_like(draw: st.DrawFn) -> str:
    """Valid numbers and their near misses: wrong province, impossible or future birth dates,
    a wrong or lower-case check character, other lengths, other characters."""
    province = draw(st.sampled_from([*sorted(idnumbers.PROVINCES), "00", "99", "10"]))
    region = draw(st.from_regex(r"[0-9]{4}", fullmatch=True))
    year = draw(st.integers(1850, 2030))
    month = draw(st.integers(0, 13))
    day = draw(st.integers(0, 32))
    seq = draw(st.from_regex(r"[0-9]{3}", fullmatch=True))
    first17 = f"{province}{region}{year:04d}{month:02d}{day:02d}{seq}"
    check = draw(st.sampled_from(["right", "wrong", "x"]))
    if check == "right":
        number = first17 + idnumbers.check_char(first17)
    elif check == "x":
        number = first17 + "x"
    else:
        number = first17 + draw(st.sampled_from("0123456789X"))
    mangle = draw(st.sampled_from(["none", "none", "short", "long", "space", "fullwidth"]))
    if mangle == "short":
        number = number[:-1]
    elif mangle == "long":
        number += "1"
    elif mangle == "space":
        number = number[:6] + " " + number[6:]
    elif mangle == "fullwidth":
        number = number.translate({ord(c): ord(c) + 0xFEE0 for c in "0123456789"})
    return number


@settings(max_examples=2000, deadline=None)
@given(id_like())
def test_the_fast_check_never_accepts_what_parse_refuses_or_changes(number):
    if _plain_resident_id(number, TODAY):
        assert _parses_unchanged(number)


@settings(max_examples=500, deadline=None)
@given(
    st.sampled_from(sorted(idnumbers.PROVINCES)),
    st.dates(dt.date(1890, 1, 1), TODAY),
    st.integers(0, 9999),
)
def test_every_valid_plain_number_takes_the_fast_path(province, born, rest):
    first17 = f"{province}{rest:04d}{born:%Y%m%d}{rest % 1000:03d}"
    number = first17 + idnumbers.check_char(first17)
    assert _parses_unchanged(number)
    assert _plain_resident_id(number, TODAY)
