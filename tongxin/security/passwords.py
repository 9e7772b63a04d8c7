import re
from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

_CLASSES = (r"[a-z]", r"[A-Z]", r"\d", r"[^A-Za-z0-9]")


class CharacterClassesValidator:
    """At least three of: lower-case letters, capitals, digits, other characters."""

    def __init__(self, minimum: int = 3) -> None:
        self.minimum = minimum

    def validate(self, password: str, user: Any = None) -> None:
        kinds = sum(1 for pattern in _CLASSES if re.search(pattern, password))
        if kinds < self.minimum:
            raise ValidationError(self.get_help_text(), code="password_too_simple")

    def get_help_text(self) -> str:
        return _("密码须包含小写字母、大写字母、数字、符号中的至少 %(n)s 类。") % {
            "n": self.minimum
        }
