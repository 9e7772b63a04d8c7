"""Encryption at rest and the keyed blind index for personal data (ID numbers, phones).

Values are encrypted with the first of TONGXIN_FIELD_KEYS (Fernet); any listed key decrypts, so
a new key can be put in front and old data re-encrypted later (`tongxin rotate_keys`). Lookups
compute the HMAC under every blind-index key, so a lookup keeps working while rotating.
"""

import hashlib
import hmac
from functools import cache

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings
from django.core.signals import setting_changed
from django.dispatch import receiver


class DecryptionError(Exception):
    pass


@cache
def _fernet() -> MultiFernet:
    return MultiFernet([Fernet(k.encode()) for k in settings.TONGXIN_FIELD_KEYS])


@cache
def _blind_keys() -> tuple[bytes, ...]:
    return tuple(k.encode() for k in settings.TONGXIN_BLIND_INDEX_KEYS)


@receiver(setting_changed)
def _reset_keys(*, setting: str, **kwargs: object) -> None:
    if setting in {"TONGXIN_FIELD_KEYS", "TONGXIN_BLIND_INDEX_KEYS"}:
        _fernet.cache_clear()
        _blind_keys.cache_clear()


def encrypt(value: str) -> str:
    return _fernet().encrypt(value.encode()).decode()


def decrypt(token: str) -> str:
    try:
        return _fernet().decrypt(token.encode()).decode()
    except InvalidToken as exc:
        raise DecryptionError("no configured key decrypts this value") from exc


def encrypt_bytes(data: bytes) -> bytes:
    """A file's content encrypted at rest (uploads, problems files), with the field keys."""
    return _fernet().encrypt(data)


def decrypt_bytes(token: bytes) -> bytes:
    try:
        return _fernet().decrypt(token)
    except InvalidToken as exc:
        raise DecryptionError("no configured key decrypts this file") from exc


def reencrypt(token: str) -> str:
    """The same value under the current (first) key."""
    return _fernet().rotate(token.encode()).decode()


def _hmac(key: bytes, kind: str, value: str) -> str:
    # hmac.digest: the one-shot C implementation (no HMAC object per value).
    return hmac.digest(key, f"{kind}:{value}".encode(), hashlib.sha256).hex()[:40]


def blind_index(kind: str, value: str) -> str:
    """The lookup token under the current key. `kind` keeps equal values of different kinds
    (an ID number and a passport number, say) apart."""
    return _hmac(_blind_keys()[0], kind, value)


def blind_indexes(kind: str, value: str) -> list[str]:
    """The lookup token under every configured key (for queries during a key rotation)."""
    return [_hmac(k, kind, value) for k in _blind_keys()]
