"""Masking what an import job's preview may carry before it leaves the server.

A preview holds spreadsheet rows and problem reports as the uploader typed them; those contain
ID numbers and phones (a problem message may quote one). Whatever the import stored, the API
only ever sends masked forms.
"""

from typing import Any, TypeVar

from tongxin.core.masking import mask_document, mask_in_text, mask_phone

# Spreadsheet headers (canonical and accepted synonyms) whose whole value is personal data.
DOCUMENT_KEYS = {"证件号码", "身份证号", "身份证号码", "document_number"}
PHONE_KEYS = {"手机号", "联系电话", "电话", "phone"}

T = TypeVar("T")


def _redact_value(key: str, value: Any) -> Any:
    if isinstance(value, str) and value:
        if key in DOCUMENT_KEYS:
            return mask_document(value.strip())
        if key in PHONE_KEYS:
            return mask_phone(value.strip())
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        if key in DOCUMENT_KEYS or key in PHONE_KEYS:
            return mask_in_text(str(value))
        return value
    return redact(value)


def redact(value: T) -> T:
    """A copy of a JSON-like value with ID numbers and phones masked wherever they appear."""
    if isinstance(value, str):
        return mask_in_text(value)  # type: ignore[return-value]
    if isinstance(value, dict):
        return {k: _redact_value(str(k), v) for k, v in value.items()}  # type: ignore[return-value]
    if isinstance(value, (list, tuple)):
        return [redact(v) for v in value]  # type: ignore[return-value]
    return value
