"""Where the install's secrets come from: the environment, or (development/demo) the data dir."""

import json
import os
import secrets
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from cryptography.fernet import Fernet

KEYS_FILE = "keys.json"


@dataclass
class Keys:
    secret_key: str
    field_keys: list[str]
    blind_index_keys: list[str]
    # Names of the settings that came from the generated file rather than the environment.
    generated: list[str] = field(default_factory=list)


def _split(value: str) -> list[str]:
    return [v.strip() for v in value.split(",") if v.strip()]


def load_keys(data_dir: Path, env: Callable[[str, str], str]) -> Keys:
    secret_key = env("TONGXIN_SECRET_KEY", "")
    field_keys = _split(env("TONGXIN_FIELD_KEYS", ""))
    blind_keys = _split(env("TONGXIN_BLIND_INDEX_KEYS", ""))
    if secret_key and field_keys and blind_keys:
        return Keys(secret_key, field_keys, blind_keys)

    stored = _load_or_generate(data_dir / KEYS_FILE)
    generated: list[str] = []
    if not secret_key:
        secret_key, generated = stored["secret_key"], [*generated, "TONGXIN_SECRET_KEY"]
    if not field_keys:
        field_keys, generated = stored["field_keys"], [*generated, "TONGXIN_FIELD_KEYS"]
    if not blind_keys:
        blind_keys = stored["blind_index_keys"]
        generated = [*generated, "TONGXIN_BLIND_INDEX_KEYS"]
    return Keys(secret_key, field_keys, blind_keys, generated)


def generate_keys() -> dict[str, object]:
    return {
        "secret_key": secrets.token_urlsafe(50),
        "field_keys": [Fernet.generate_key().decode()],
        "blind_index_keys": [secrets.token_urlsafe(32)],
    }


def _load_or_generate(path: Path) -> dict:
    if path.exists():
        return json.loads(path.read_text())
    path.parent.mkdir(parents=True, exist_ok=True)
    keys = generate_keys()
    # Created exclusively with owner-only permissions; a concurrent first start reads the winner's.
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return json.loads(path.read_text())
    with os.fdopen(fd, "w") as fh:
        json.dump(keys, fh)
    return keys
