from typing import Any

from django.db import models

from tongxin.core import crypto


class EncryptedTextField(models.TextField):
    """Holds plaintext in Python and Fernet ciphertext in the database.

    Not searchable: pair it with a blind-index column for exact lookups and a masked column
    for display, so lists never need to decrypt.
    """

    def from_db_value(self, value: Any, expression: Any, connection: Any) -> str | None:
        if value is None or value == "":
            return value
        return crypto.decrypt(value)

    def get_prep_value(self, value: Any) -> Any:
        value = super().get_prep_value(value)
        if value is None or value == "":
            return value
        return crypto.encrypt(value)
