"""Raw ID numbers and phones never reach the database, a page, an API response, an export or a
log, unless a permitted user reveals one (which is audited)."""

import csv
import io
import logging
import os
import sqlite3
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from django.db import connection
from django.test import Client

from tongxin.accounts.models import Role
from tongxin.audit.models import AuditAction, AuditEvent
from tongxin.factories import UserFactory, household, make_id_number, make_mobile
from tongxin.people.models import Person

pytestmark = pytest.mark.django_db

HEADER = ["姓名", "证件号码", "手机号", "乡镇街道", "社区", "小区", "楼幢", "单元", "房号"]


def _residents_csv(path: Path, count: int = 20) -> list[tuple[str, str]]:
    rows, secrets = [], []
    for i in range(count):
        number, phone = make_id_number(), make_mobile()
        secrets.append((number, phone))
        rows.append(
            [
                f"居民{i}",
                number,
                phone,
                "芹阳办事处",
                "东门社区",
                "阳光小区",
                "3幢",
                "1",
                f"{100 + i}",
            ]
        )
    with path.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(HEADER)
        writer.writerows(rows)
    return secrets


def _all_database_text() -> str:
    """Every value of every table, as text (works on SQLite and PostgreSQL alike)."""
    chunks = []
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names(cursor):
            cursor.execute(f"SELECT * FROM {connection.ops.quote_name(table)}")  # noqa: S608
            chunks.extend(repr(row) for row in cursor.fetchall())
    return "\n".join(chunks)


def test_nothing_in_clear_after_import_browsing_api_and_export(
    tmp_path: Path, caplog: pytest.LogCaptureFixture, settings: Any
) -> None:
    household("阳光小区", "1", "101")  # the county and its township exist before the import
    csv_path = tmp_path / "residents.csv"
    secrets = _residents_csv(csv_path)
    chief = UserFactory(role=Role.COMMAND_POST)
    client = Client()
    client.force_login(chief)
    caplog.set_level(logging.DEBUG)

    call_command("import", "residents", str(csv_path), "--json", stdout=io.StringIO())
    person = Person.objects.get(name="居民0")
    texts = [
        _all_database_text(),
        client.get("/residents/").content.decode(),
        client.post("/residents/", {"q": "居民"}).content.decode(),
        client.get(f"/residents/{person.pk}/").content.decode(),
        client.get(f"/places/{person.household_id}/").content.decode(),
        client.get("/api/v1/residents/").content.decode(),
        client.get(f"/api/v1/residents/{person.pk}").content.decode(),
    ]
    out = tmp_path / "export.csv"
    call_command("export", "residents", "--out", str(out), stdout=io.StringIO())
    texts.append(out.read_text(encoding="utf-8-sig"))
    texts.append(caplog.text)

    assert len(texts[1]) > 1000  # pages really rendered residents
    everything = "\n".join(texts)
    for number, phone in secrets:
        assert number not in everything
        assert phone not in everything
    assert person.document_masked in texts[3]


def test_reveal_shows_one_value_and_is_audited() -> None:
    person = Person.objects.create(
        name="张三",
        document_number="11010519491231002X",
        phone="13800138000",
        household=household(),
    )
    cadre = UserFactory(role=Role.COMMAND_POST)
    client = Client()
    client.force_login(cadre)
    response = client.post(f"/residents/{person.pk}/reveal/phone/", {"reason": "电话联系"})
    assert "13800138000" in response.content.decode()
    assert "11010519491231002X" not in response.content.decode()
    event = AuditEvent.objects.get(action=AuditAction.REVEAL)
    assert event.actor == cadre and event.detail == {"field": "phone", "reason": "电话联系"}


@pytest.mark.skipif(sys.platform != "linux", reason="uses the installed tongxin command")
def test_sqlite_database_file_holds_no_raw_values(tmp_path: Path) -> None:
    """The real file on disk (and its write-ahead log), after a real import."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("TONGXIN_", "DJANGO_"))}
    env["TONGXIN_DATA_DIR"] = str(tmp_path / "data")
    tongxin = [sys.executable, "-m", "tongxin"]
    subprocess.run([*tongxin, "migrate", "-v0"], env=env, check=True, timeout=300)
    subprocess.run(
        [*tongxin, "shell", "-c",
         "from tongxin.places.services import create_county; create_county('开化县', '330824')"],
        env=env, check=True, timeout=120,
    )  # fmt: skip
    csv_path = tmp_path / "residents.csv"
    secrets = _residents_csv(csv_path, count=50)
    subprocess.run(
        [*tongxin, "import", "residents", str(csv_path), "--json"],
        env=env, check=True, timeout=300, capture_output=True,
    )  # fmt: skip

    db_file = tmp_path / "data" / "tongxin.sqlite3"
    with sqlite3.connect(db_file) as db:
        assert db.execute("SELECT count(*) FROM people_person").fetchone()[0] == 50
    raw = b"".join(p.read_bytes() for p in db_file.parent.glob("tongxin.sqlite3*"))
    for number, phone in secrets:
        assert number.encode() not in raw
        assert phone.encode() not in raw
