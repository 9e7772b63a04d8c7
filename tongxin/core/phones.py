"""Mainland mobile numbers."""

import re
import unicodedata

import phonenumbers
from phonenumbers import PhoneNumberType


class InvalidPhone(ValueError):
    pass


def normalize_mobile(raw: str) -> str:
    """An 11-digit mainland mobile number, or InvalidPhone."""
    text = re.sub(r"[\s\-()（）]", "", unicodedata.normalize("NFKC", raw))
    if not text:
        raise InvalidPhone(raw)
    try:
        parsed = phonenumbers.parse(text, "CN")
    except phonenumbers.NumberParseException:
        raise InvalidPhone(raw) from None
    if parsed.country_code != 86 or not phonenumbers.is_valid_number(parsed):
        raise InvalidPhone(raw)
    if phonenumbers.number_type(parsed) not in (
        PhoneNumberType.MOBILE,
        PhoneNumberType.FIXED_LINE_OR_MOBILE,
    ):
        raise InvalidPhone(raw)
    return str(parsed.national_number)
