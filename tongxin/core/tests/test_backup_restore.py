"""docs/operations.md's backup and restore, tested: a pg_dump of the database restored into
a fresh PostgreSQL database, read with the keys (kept apart from the dump), gives back the
encrypted ID numbers and phones, and exact search by blind index still finds the person.
Without the keys the dump alone reveals none of them."""

import os
import shutil
import subprocess
import uuid
from pathlib import Path
from typing import Any

import pytest
from django.db import connection

from tongxin.core import crypto
from tongxin.factories import PersonFactory, household

pytestmark = pytest.mark.skipif(
    connection.vendor != "postgresql" or not shutil.which("pg_dump"),
    reason="the backup and restore test needs PostgreSQL and pg_dump/pg_restore "
    "(set TONGXIN_DATABASE_URL=postgres://…); on SQLite a backup is a copy of the file",
)


def _tool(name: str) -> str:
    found = shutil.which(name)
    if found is None:
        pytest.skip(f"{name} is not installed")
    return found


def _pg_env(settings_dict: dict[str, Any]) -> tuple[list[str], dict[str, str]]:
    args = ["-h", settings_dict.get("HOST") or "127.0.0.1", "-p", str(settings_dict.get("PORT")
            or 5432), "-U", settings_dict.get("USER") or "postgres"]  # fmt: skip
    env = dict(os.environ)
    if settings_dict.get("PASSWORD"):
        env["PGPASSWORD"] = settings_dict["PASSWORD"]
    return args, env


@pytest.mark.django_db(transaction=True)
def test_a_dump_restores_into_a_fresh_database_and_reads_with_the_keys(tmp_path: Path) -> None:
    import psycopg

    person = PersonFactory(name="张三", household=household("阳光小区", "1", "101"))
    person.phone = "13812345678"
    person.save()
    number = person.document_number
    conn_args, env = _pg_env(connection.settings_dict)
    source = connection.settings_dict["NAME"]
    dump = tmp_path / "tongxin.dump"
    subprocess.run(
        [_tool("pg_dump"), *conn_args, "-Fc", "-f", str(dump), source], check=True, env=env
    )
    assert number.encode() not in dump.read_bytes()  # the dump holds ciphertext only
    fresh = f"{source}_restore_{uuid.uuid4().hex[:8]}"
    subprocess.run([_tool("createdb"), *conn_args, fresh], check=True, env=env)
    try:
        subprocess.run(
            [_tool("pg_restore"), *conn_args, "--no-owner", "-d", fresh, str(dump)],
            check=True,
            env=env,
        )
        s = connection.settings_dict
        with psycopg.connect(
            host=s.get("HOST") or "127.0.0.1", port=s.get("PORT") or 5432,
            user=s.get("USER") or "postgres", password=s.get("PASSWORD") or None, dbname=fresh,
        ) as restored:  # fmt: skip
            row = restored.execute(
                "SELECT document_number, phone, document_bidx, name FROM people_person "
                "WHERE id = %s",
                [person.pk],
            ).fetchone()
    finally:
        subprocess.run([_tool("dropdb"), *conn_args, "--if-exists", fresh], check=True, env=env)
    assert row is not None
    ciphertext, phone, bidx, name = row
    assert ciphertext != number
    assert crypto.decrypt(ciphertext) == number
    assert crypto.decrypt(phone) == "13812345678"
    assert bidx in crypto.blind_indexes(person.document_type, number)
    assert name == "张三"
