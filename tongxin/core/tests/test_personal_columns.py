"""One derivation of the blind index, masked form and last four digits for every model."""

from tongxin.core import crypto
from tongxin.core.personal import NOTHING, document_columns, phone_columns


def test_phone_columns_index_mask_and_keep_last_four():
    derived = phone_columns("13912345678")
    assert derived.bidx == crypto.blind_index("phone", "13912345678")
    assert derived.masked == "139****5678"
    assert derived.last4 == "5678"


def test_nothing_is_derived_from_an_empty_value():
    assert phone_columns("") == NOTHING
    assert phone_columns(None) == NOTHING
    assert document_columns("resident_id", "") == NOTHING


def test_document_columns_are_indexed_under_the_document_type():
    number = "330824199001011234"
    assert document_columns("passport", number).bidx != document_columns("resident_id", number).bidx
    assert document_columns("resident_id", number).masked == "330824********1234"
