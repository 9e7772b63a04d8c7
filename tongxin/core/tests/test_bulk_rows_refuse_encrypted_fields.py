"""The COPY path writes values as Python holds them: a model with an encrypted field (whose
value is only encrypted by the field on its way to the database) is refused, never written in
clear."""

import pytest

from tongxin.core.bulk import NewRows
from tongxin.tracing.models import Contact, OutsidePerson


def test_a_model_with_an_encrypted_field_is_refused() -> None:
    with pytest.raises(TypeError, match="document_number"):
        NewRows(OutsidePerson, now=None)


def test_a_model_of_plain_fields_is_taken() -> None:
    rows = NewRows(Contact, now=None)
    assert rows.row({})[rows.index["id"]] is None
