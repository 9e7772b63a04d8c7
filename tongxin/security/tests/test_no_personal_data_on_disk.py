"""The PII scan on disk (issue 9, "keep it closed"): the suite's database is in memory (or on
PostgreSQL), so here a separate process works on a file-based SQLite database in WAL mode (the
default install) and the raw bytes are scanned: the database file, its -wal and -shm files
(copied while the connection was open, and again after it closed), every other file in the
data dir (media: uploads and problems files; the SMS outbox), and the process's log output.
No decrypted ID number or phone of the demo's residents, callers and staff, nor of the
imported rows, may appear in any of them."""

import json
import os
import re
import subprocess
import sys
from collections.abc import Iterable
from pathlib import Path

DIGIT_RUNS = re.compile(rb"\d{11,}[Xx]?")
SCRIPT = Path(__file__).with_name("sqlite_run.py")


def found_in(blobs: Iterable[bytes], raws: set[str]) -> set[str]:
    hits: set[str] = set()
    for blob in blobs:
        for run in DIGIT_RUNS.findall(blob):
            text = run.decode("ascii")
            hits.update(r for r in raws if r in text)
    return hits


def files_under(root: Path) -> list[Path]:
    return [p for p in root.rglob("*") if p.is_file()] if root.exists() else []


def test_no_raw_id_or_phone_in_the_sqlite_files_media_or_log(tmp_path: Path) -> None:
    data = tmp_path / "data"
    out = tmp_path / "out"
    out.mkdir()
    # A fresh install of its own: none of the suite's database or key settings.
    env = {k: v for k, v in os.environ.items() if not k.startswith(("TONGXIN_", "DJANGO_"))}
    env.update(
        DJANGO_SETTINGS_MODULE="tongxin.settings",
        TONGXIN_DATA_DIR=str(data),  # SQLite in the data dir, WAL mode, keys generated there
        TONGXIN_ALLOWED_HOSTS="testserver",
        TONGXIN_TASKS_BACKEND="django_tasks.backends.immediate.ImmediateBackend",
        TONGXIN_OTP_REQUIRED="0",
        TONGXIN_LOG_LEVEL="INFO",
    )
    run = subprocess.run(
        [sys.executable, str(SCRIPT), str(out)],
        env=env,
        capture_output=True,
        timeout=900,
        check=False,
    )
    assert run.returncode == 0, run.stderr.decode("utf-8", "replace")[-3000:]
    raws = set(json.loads((out / "secrets.json").read_text()))
    paths = json.loads((out / "paths.json").read_text())
    db = Path(paths["db"])
    open_files = files_under(out / "open")
    assert {p.name for p in open_files} >= {"db", "db-wal"}, "WAL mode, copied while open"
    assert len(raws) > 50
    # Everything the install keeps in its data dir: media (uploads, problems files), the SMS
    # outbox; the database files are scanned above.
    kept = [p for p in files_under(Path(paths["data"])) if not p.name.startswith(db.name)]
    assert any("media" in p.parts for p in kept), "the import left its problems file"
    # The control: the uploaded file itself holds the new rows' numbers, and the scan sees them.
    assert len(found_in([(out / "uploaded.csv").read_bytes()], raws)) >= 3
    log = run.stdout + run.stderr
    assert b"Not Found" in log  # the log really holds the requests' lines
    closed_files = [Path(f"{db}{s}") for s in ("", "-wal", "-shm") if Path(f"{db}{s}").exists()]
    places = {
        "database file, -wal, -shm (open)": found_in((p.read_bytes() for p in open_files), raws),
        "database files (closed)": found_in((p.read_bytes() for p in closed_files), raws),
        "data dir (media, SMS outbox)": found_in((p.read_bytes() for p in kept), raws),
        "log output": found_in([log], raws),
    }
    assert {k: sorted(v)[:3] for k, v in places.items() if v} == {}
