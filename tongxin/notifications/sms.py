"""Text messages through a provider. The install picks a backend class (TONGXIN_SMS_BACKEND).

A backend gets the clear number (it has to dial it) and must not log or echo it; errors it
raises are stored, so they must not contain the number either.
"""

import json
import threading
from typing import Any

from django.utils import timezone
from django.utils.module_loading import import_string

from tongxin.core.crypto import blind_index
from tongxin.core.masking import mask_phone
from tongxin.notifications import conf


class SmsError(Exception):
    pass


class SmsBackend:
    """Provider interface: send one message to one mainland mobile number, or raise SmsError."""

    def send(self, phone: str, text: str) -> None:
        raise NotImplementedError


_file_lock = threading.Lock()


class FileSmsBackend(SmsBackend):
    """Development and tests: appends one JSON line per message to TONGXIN_SMS_FILE.

    The number is written masked plus its keyed lookup token (the same one the residents'
    phone index uses), so the file shows who got what without holding numbers in clear.
    """

    def __init__(self, path: Any = None) -> None:
        self.path = path or conf.sms_file()

    def send(self, phone: str, text: str) -> None:
        line = json.dumps(
            {
                "at": timezone.now().isoformat(),
                "to": mask_phone(phone),
                "to_bidx": blind_index("phone", phone),
                "text": text,
            },
            ensure_ascii=False,
        )
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            with _file_lock, self.path.open("a", encoding="utf-8") as out:
                out.write(line + "\n")
        except OSError as exc:
            raise SmsError(f"cannot write {self.path.name}: {exc.strerror}") from None


def get_backend() -> SmsBackend:
    backend: SmsBackend = import_string(conf.sms_backend_path())()
    return backend
