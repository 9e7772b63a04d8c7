"""The check-in import alone, repeatable, with the PostgreSQL backends' CPU per row and a raw
COPY of the same rows into the same table (issue 11 §7: where the import's time goes).

    # once: a county (bench/tracing.py's seed) and the first --prefill rows of the export stored
    .venv/bin/python bench/tracing_import.py setup --db tx_imp11_base --prefill 4000000 \
        --csv /work/main/bench/out/tracing/checkins-10000000.csv
    # timed (hold the bench lock): rows [skip, skip + rows) of the export imported into the same
    # incident (all new), then removed again (DELETE + VACUUM), so the run can be repeated
    flock /work/benchlogs/bench.lock .venv/bin/python bench/tracing_import.py run \
        --db tx_imp11_base --skip 4000000 --rows 1000000 --copy --csv …

`run` prints wall time, the CPU of this Python process (every thread) and of every PostgreSQL
backend connected to the database (read from /proc; the server runs on this machine), per row.
With `--copy`, the rows the import stored are exported (binary), deleted, and COPYed back into
the same table with the same indexes: the raw COPY of the same rows, timed the same way.
Keys: --data-dir (default bench/out/tracing of this checkout).
"""

import argparse
import os
import sys
import threading
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "bench" / "out" / "tracing"
sys.path[:0] = [str(ROOT / "bench"), str(ROOT)]


def cpu() -> float:
    t = os.times()
    return t.user + t.system


def proc_cpu(pid: int) -> float | None:
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return None
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


class Backends:
    """CPU seconds of every backend of the database (and of the server's WAL writer,
    checkpointer and background writer, which serve every database), polled so that a
    backend that ends during the run is still counted."""

    def __init__(self, dsn: str, db: str) -> None:
        import psycopg

        self.conn = psycopg.connect(dsn, autocommit=True)
        self.db = db
        self.start: dict[int, float] = {}
        self.last: dict[int, float] = {}
        self.kind: dict[int, str] = {}
        self.stop = threading.Event()
        self.me = self.conn.execute("SELECT pg_backend_pid()").fetchone()[0]  # type: ignore[index]

    def poll(self) -> None:
        rows = self.conn.execute(
            "SELECT pid, backend_type, datname FROM pg_stat_activity "
            "WHERE datname = %s OR backend_type IN ('walwriter', 'checkpointer', "
            "'background writer')",
            [self.db],
        ).fetchall()
        for pid, kind, _db in rows:
            if pid == self.me:
                continue
            used = proc_cpu(pid)
            if used is None:
                continue
            self.start.setdefault(pid, 0.0 if self.started else used)
            self.kind[pid] = "server" if kind != "client backend" else "backend"
            self.last[pid] = used

    started = False

    def __enter__(self) -> "Backends":
        self.poll()
        self.started = True
        self.thread = threading.Thread(target=self._loop, daemon=True)
        self.thread.start()
        return self

    def _loop(self) -> None:
        while not self.stop.wait(0.2):
            self.poll()

    def __exit__(self, *exc: Any) -> None:
        self.stop.set()
        self.thread.join()
        self.poll()

    def used(self, kind: str) -> float:
        return sum(self.last[p] - self.start[p] for p in self.last if self.kind[p] == kind)


def slice_file(csv_path: Path, skip: int, rows: int) -> Path:
    out = ROOT / "bench" / "out" / "imp"
    out.mkdir(parents=True, exist_ok=True)
    path = out / f"slice-{skip}-{rows}.csv"
    if path.exists():
        return path
    with csv_path.open("rb") as f, path.open("wb") as w:
        w.write(f.readline())
        for _ in range(skip):
            f.readline()
        for _ in range(rows):
            line = f.readline()
            if not line:
                break
            w.write(line)
    return path


def setup_django(args: argparse.Namespace) -> None:
    os.environ.update(
        {
            "TONGXIN_DATABASE_URL": f"{args.pg}/{args.db}",
            "TONGXIN_DATA_DIR": args.data_dir,
            "TONGXIN_DEBUG": "0",
            "TONGXIN_LOG_LEVEL": "WARNING",
            "DJANGO_SETTINGS_MODULE": "tongxin.settings",
        }
    )
    import django

    django.setup()


def setup(args: argparse.Namespace) -> None:
    import subprocess

    import tracing  # bench/tracing.py

    args.checkins = args.prefill
    tracing.OUT = Path(args.data_dir)
    tracing.recreate_database(args)
    env = dict(os.environ)
    env.update(
        {
            "TONGXIN_DATABASE_URL": f"{args.pg}/{args.db}",
            "TONGXIN_DATA_DIR": args.data_dir,
            "TONGXIN_DEBUG": "0",
            "TONGXIN_LOG_LEVEL": "WARNING",
            "DJANGO_SETTINGS_MODULE": "tongxin.settings",
        }
    )
    bin_ = ROOT / ".venv" / "bin" / "tongxin"
    subprocess.run([str(bin_), "migrate", "--noinput", "-v", "0"], env=env, check=True)
    setup_django(args)
    from django.db import connection

    from tongxin.audit.context import Actor, acting_as
    from tongxin.tracing.services.checkins import import_file

    with acting_as(Actor(user=None, label="bench", channel="cli")):
        info = tracing.seed(args)
        if args.prefill:
            path = slice_file(Path(args.csv), 0, args.prefill)
            t0 = time.monotonic()
            s = import_file(info["incident"], path, path.name)
            print(f"prefill {s.as_dict()} in {time.monotonic() - t0:.0f} s", flush=True)
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE")
        cursor.execute("CHECKPOINT")


def run(args: argparse.Namespace) -> None:
    setup_django(args)
    import tracing  # bench/tracing.py
    from django.db import connection

    from tongxin.audit.context import Actor, acting_as
    from tongxin.tracing.models import OutsidePerson
    from tongxin.tracing.services.checkins import import_file

    if args.storers is not None:
        from tongxin.tracing.services import checkins

        checkins.STORERS = args.storers
    path = slice_file(Path(args.csv), args.skip, args.rows)
    dsn = f"{args.pg}/{args.db}"
    with connection.cursor() as cursor:
        cursor.execute("SELECT coalesce(max(id), 0) FROM tracing_checkin")
        before = cursor.fetchone()[0]
    outside_before = OutsidePerson.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
    connection.close()
    incident = tracing.venue_incident()
    load0 = os.getloadavg()[0]
    with acting_as(Actor(user=None, label="bench", channel="cli")), Backends(dsn, args.db) as pg:
        w0, c0 = time.monotonic(), cpu()
        summary = import_file(incident, path, path.name)
        wall, used = time.monotonic() - w0, cpu() - c0
    n = summary.rows
    print(f"import {summary.as_dict()}")
    print(
        f"  {wall:.1f} s wall = {n / wall:,.0f} rows/s; Python {used:.1f} s CPU "
        f"({used / n * 1e6:.1f} µs/row); backends {pg.used('backend'):.1f} s CPU "
        f"({pg.used('backend') / n * 1e6:.1f} µs/row); server processes {pg.used('server'):.1f} s; "
        f"load {load0:.2f} → {os.getloadavg()[0]:.2f}",
        flush=True,
    )
    with connection.cursor() as cursor:
        if args.copy:
            buf = ROOT / "bench" / "out" / "imp" / "copy.bin"
            with (
                buf.open("wb") as f,
                cursor.cursor.copy(
                    f"COPY (SELECT * FROM tracing_checkin WHERE id > {int(before)}) TO STDOUT "  # noqa: S608
                    "(FORMAT binary)"
                ) as copy,
            ):
                for data in copy:
                    f.write(data)
            cursor.execute("DELETE FROM tracing_checkin WHERE id > %s", [before])
            cursor.execute("VACUUM tracing_checkin")
            cursor.execute("CHECKPOINT")
            connection.close()
            load0 = os.getloadavg()[0]
            import psycopg

            with psycopg.connect(dsn) as conn, Backends(dsn, args.db) as pg:
                t0 = time.monotonic()
                with (
                    buf.open("rb") as f,
                    conn.cursor().copy("COPY tracing_checkin FROM STDIN (FORMAT binary)") as cp,
                ):
                    while chunk := f.read(1 << 20):
                        cp.write(chunk)
                conn.commit()
                seconds = time.monotonic() - t0
            rows = summary.stored
            print(
                f"raw COPY of the {rows:,} stored rows into the same table: {seconds:.1f} s = "
                f"{rows / seconds:,.0f} rows/s; backends {pg.used('backend'):.1f} s CPU "
                f"({pg.used('backend') / rows * 1e6:.1f} µs/row); server processes "
                f"{pg.used('server'):.1f} s; load {load0:.2f} → {os.getloadavg()[0]:.2f}; "
                f"import/COPY {(n / wall) / (rows / seconds):.2f}",
                flush=True,
            )
            buf.unlink()
    if args.keep:
        return
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM tracing_checkin WHERE id > %s", [before])
        cursor.execute("DELETE FROM tracing_outsideperson WHERE id > %s", [outside_before])
        cursor.execute("VACUUM tracing_checkin")
        cursor.execute("VACUUM tracing_outsideperson")
        cursor.execute("CHECKPOINT")


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("what", choices=["setup", "run"])
    p.add_argument("--pg", default="postgres://postgres@127.0.0.1:5432")
    p.add_argument("--db", default="tx_imp11_base")
    p.add_argument("--data-dir", default=str(ROOT / "bench" / "out" / "tracing"))
    p.add_argument("--csv", default=str(OUT / "checkins-10000000.csv"))
    p.add_argument("--people", type=int, default=400_000)
    p.add_argument("--venues", type=int, default=5000)
    p.add_argument("--prefill", type=int, default=4_000_000)
    p.add_argument("--skip", type=int, default=4_000_000)
    p.add_argument("--rows", type=int, default=1_000_000)
    p.add_argument("--copy", action="store_true")
    p.add_argument("--storers", type=int, help="checkins.STORERS for this run")
    p.add_argument("--keep", action="store_true", help="leave the imported rows stored")
    args = p.parse_args()
    setup(args) if args.what == "setup" else run(args)


if __name__ == "__main__":
    main()
