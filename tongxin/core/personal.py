"""The derived columns of an encrypted ID number or phone, and lookups by them.

Every model that stores an ID number or a phone keeps the value encrypted next to three
derived columns: the keyed blind index (exact lookup), the masked form (what lists show) and
the last four digits (what a caller reads out on the phone). They are derived here, once, so
residents, outside persons, workforce members and help requests mask and index alike."""

from typing import Any, NamedTuple, Self, TypeVar

from django.db import models

from tongxin.core import crypto
from tongxin.core.masking import mask_document, mask_phone

PHONE_INDEX = "phone"
RESIDENT_ID_INDEX = "resident_id"

_M = TypeVar("_M", bound=models.Model)


class Derived(NamedTuple):
    bidx: str
    masked: str
    last4: str


NOTHING = Derived("", "", "")


def phone_columns(phone: str | None) -> Derived:
    """Blind index, masked form and last four digits of a phone; empty for no phone."""
    if not phone:
        return NOTHING
    return Derived(crypto.blind_index(PHONE_INDEX, phone), mask_phone(phone), phone[-4:])


def document_columns(document_type: str, number: str | None) -> Derived:
    """The same for an identity document, indexed under its type; empty for no number."""
    if not number:
        return NOTHING
    return Derived(crypto.blind_index(document_type, number), mask_document(number), number[-4:])


def phone_fields(phone: str, prefix: str = "phone") -> dict[str, Any]:
    """Keyword arguments for a model with `<prefix>`, `<prefix>_bidx`, `_masked`, `_last4`
    (bulk writers that bypass save)."""
    derived = phone_columns(phone)
    return {
        prefix: phone,
        f"{prefix}_bidx": derived.bidx,
        f"{prefix}_masked": derived.masked,
        f"{prefix}_last4": derived.last4,
    }


class PersonalLookupQuerySet(models.QuerySet[_M]):
    """Exact lookups through the blind index, under every configured key (so a key rotation
    in progress never loses a match)."""

    def with_document(self, document_type: str, number: str) -> Self:
        return self.filter(
            document_type=document_type,
            document_bidx__in=crypto.blind_indexes(document_type, number),
        )

    def with_phone(self, phone: str) -> Self:
        return self.filter(phone_bidx__in=crypto.blind_indexes(PHONE_INDEX, phone))
