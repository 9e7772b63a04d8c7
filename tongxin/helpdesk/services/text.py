"""Free text from residents and spreadsheets: phone and ID numbers in it are masked before it
is stored in the clear (the words as given are kept encrypted beside it)."""

import re

from tongxin.core.masking import mask_document, mask_phone
from tongxin.core.text import clean_text

# A mobile typed with spaces or dashes (138 0013 8000), a landline with its area code, or any
# run of 11+ digits (a mobile, a 15/18-digit ID number).
_NUMBERS = re.compile(
    r"(?<![\dXx])(?:1[3-9]\d[ \-]?\d{4}[ \-]?\d{4}|0\d{2,3}[ \-]?\d{7,8}|\d{11,17}[\dXx])(?![\d])"
)


def _mask(match: re.Match[str]) -> str:
    digits = re.sub(r"[ \-]", "", match.group(0))
    return mask_document(digits) if len(digits) >= 14 else mask_phone(digits)


def redact(value: object) -> tuple[str, bool]:
    """(text with numbers masked, whether anything was masked)."""
    text = clean_text(value) if not isinstance(value, str) else value.strip()
    masked = _NUMBERS.sub(_mask, text)
    return masked, masked != text


def one_line(value: object, limit: int = 400) -> str:
    text, _changed = redact(clean_text(value))
    return text[:limit]
