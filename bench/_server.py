"""What the upload benchmarks share: the county bench/sample_upload.py seeded, the sampling
tables emptied before a run, and gunicorn serving the app on the loopback until the run ends.

    info = seeded(OUT / "seed.json")                 # before Django: exits if not seeded
    empty_sampling_tables()                          # after django.setup()
    with serving(env, port, workers, log, threads=8) as server:
        ...                                          # gunicorn answers; stopped afterwards

Plain functions of the standard library (Django only inside `empty_sampling_tables`), so every
bench script can import this one without importing another bench script.
"""

import contextlib
import http.client
import json
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
BIN = ROOT / ".venv" / "bin"
SAMPLING_TABLES = (
    "sampling_sampleevent",
    "sampling_tube",
    "sampling_sampledperson",
    "sampling_roundhousehold",
    "sampling_pointhour",
    "sampling_coveragestate",
)


def seeded(info_file: Path) -> dict[str, Any]:
    """What bench/sample_upload.py wrote about the county it seeded; exits, saying how to seed,
    when it has not been run."""
    if not info_file.exists():
        sys.exit("seed first: .venv/bin/python bench/sample_upload.py --seed-only --db ...")
    info: dict[str, Any] = json.loads(info_file.read_text())
    return info


def empty_sampling_tables() -> None:
    """Every sample event and what is derived from them, so that a run starts from none."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(f"TRUNCATE {', '.join(SAMPLING_TABLES)} CASCADE")


def wait_until_up(server: subprocess.Popen, port: int, *, seconds: float = 60) -> None:
    """Until the app answers on 127.0.0.1:port; RuntimeError when gunicorn exits or takes
    longer than `seconds`."""
    deadline = time.monotonic() + seconds
    while True:
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
            conn.request("GET", "/api/v1/openapi.json")
            conn.getresponse().read()
            conn.close()
            return
        except OSError:
            if time.monotonic() > deadline or server.poll() is not None:
                raise RuntimeError("gunicorn did not start; see bench/out/") from None
            time.sleep(0.3)


@contextlib.contextmanager
def serving(
    env: dict[str, str],
    port: int,
    workers: int,
    log: Path,
    *,
    threads: int | None = None,
    timeout: int = 120,
    backlog: int | None = None,
) -> Iterator[subprocess.Popen]:
    """gunicorn serving the app on 127.0.0.1:port with `workers` workers (gthread workers of
    `threads` threads, or sync workers without), its output in `log`: up and answering when
    the block starts, terminated when it ends (however it ends)."""
    command = [str(BIN / "gunicorn"), "tongxin.wsgi", "--workers", str(workers)]
    if threads is not None:
        command += ["--worker-class", "gthread", "--threads", str(threads)]
    command += ["--bind", f"127.0.0.1:{port}", "--timeout", str(timeout)]
    if backlog is not None:
        command += ["--backlog", str(backlog)]
    command += ["--log-level", "warning"]
    with log.open("w") as out:
        server = subprocess.Popen(command, env=env, stdout=out, stderr=subprocess.STDOUT)
        try:
            wait_until_up(server, port)
            yield server
        finally:
            server.terminate()
            server.wait(30)
