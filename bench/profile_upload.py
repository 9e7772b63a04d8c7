"""Profile the bulk sample upload's request path, in process, on the seeded bench database.

    .venv/bin/python bench/sample_upload.py --db tx_bench --seed-only   # once
    .venv/bin/python bench/profile_upload.py --db tx_bench --batches 20

The sampling tables are emptied, then `--batches` batches of 1,000 events (the same bodies
bench/sample_upload.py sends: round 1, pooled tubes of 10, raw ID numbers) are POSTed to
/api/v1/sampling/events through Django's test client (middleware, token authentication,
admission, parsing, `record_batch`, the answer), under pyinstrument. Printed: the Python CPU
time and the PostgreSQL backend's CPU time per event (from /proc, so less sensitive to the
machine's load than wall time), and pyinstrument's call tree (also written to
bench/out/profile_upload.txt). `--no-profile` measures the CPU split without the profiler's
overhead; `--cprofile` uses cProfile instead (CPU time per function, cumulative and own,
written to bench/out/profile_upload_cprofile.txt).

To profile a gunicorn worker instead, run bench/sample_upload.py and attach py-spy (not a
dependency) to the gunicorn master: `py-spy record --subprocesses --pid <master> -d 25 -f raw`.
"""

import argparse
import json
import os
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "bench"))
import sample_upload as su  # noqa: E402  (the seeded county, its environment)


def backend_cpu(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def backend_ns(pid: int) -> int:
    """The backend's time on a CPU so far, in nanoseconds (/proc/<pid>/schedstat)."""
    return int(Path(f"/proc/{pid}/schedstat").read_text().split()[0])


class StatementClock:
    """PostgreSQL's CPU per statement: psycopg's execute and commit wrapped to read the
    backend's CPU clock before and after (the backend works only while the worker waits for
    it). Statements are grouped by their first words."""

    def __init__(self, backend: int) -> None:
        self.backend = backend
        self.ns: dict[str, int] = {}
        self.calls: dict[str, int] = {}

    def _timed(self, key: str, call: Any) -> Any:
        before = backend_ns(self.backend)
        try:
            return call()
        finally:
            self.ns[key] = self.ns.get(key, 0) + backend_ns(self.backend) - before
            self.calls[key] = self.calls.get(key, 0) + 1

    def start(self) -> None:
        import re

        import psycopg

        clock = self
        execute, commit = psycopg.Cursor.execute, psycopg.Connection.commit
        self._saved = (execute, commit)

        def timed_execute(cursor: Any, query: Any, params: Any = None, **kw: Any) -> Any:
            text = query if isinstance(query, str) else str(query)
            key = re.sub(r"\s+", " ", text)[:110]
            return clock._timed(key, lambda: execute(cursor, query, params, **kw))

        def timed_commit(conn: Any) -> Any:
            return clock._timed("COMMIT", lambda: commit(conn))

        psycopg.Cursor.execute = timed_execute  # type: ignore[method-assign, assignment]
        psycopg.Connection.commit = timed_commit  # type: ignore[method-assign, assignment]

    def stop(self) -> None:
        import psycopg

        psycopg.Cursor.execute, psycopg.Connection.commit = self._saved  # type: ignore[method-assign]

    def report(self, events: int) -> str:
        lines = [f"{'µs/event':>9} {'calls':>6}  statement"]
        for key, ns in sorted(self.ns.items(), key=lambda kv: -kv[1]):
            lines.append(f"{ns / 1000 / events:9.2f} {self.calls[key]:6d}  {key}")
        lines.append(f"{sum(self.ns.values()) / 1000 / events:9.2f}         in all")
        return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--db", default="tongxin_bench")
    parser.add_argument("--batches", type=int, default=20)
    parser.add_argument("--skip", type=int, default=2, help="warm-up batches, not measured")
    parser.add_argument("--no-profile", action="store_true")
    parser.add_argument(
        "--cprofile", action="store_true", help="cProfile (CPU time per function) for pyinstrument"
    )
    parser.add_argument(
        "--statements",
        action="store_true",
        help="PostgreSQL backend CPU per statement (from /proc/<pid>/schedstat, ns) instead",
    )
    parser.add_argument(
        "--gc-freeze", action="store_true", help="gc.freeze() after warming up (as gunicorn.conf)"
    )
    args = parser.parse_args()
    args.clients = 2
    env = su.environment(args)
    os.environ.update(env)
    import datetime as dt

    import django

    django.setup()
    from django.db import connection
    from django.test import Client

    info = json.loads((su.OUT / "seed.json").read_text())
    info["starts"] = [dt.datetime.fromisoformat(s) for s in info["starts"]]
    info["estate_of"] = {int(k): v for k, v in info["estate_of"].items()}
    with connection.cursor() as cursor:
        cursor.execute(
            "TRUNCATE sampling_sampleevent, sampling_tube, sampling_sampledperson, "
            "sampling_roundhousehold, sampling_pointhour, sampling_coveragestate CASCADE"
        )
        cursor.execute("SELECT pg_backend_pid()")
        backend = cursor.fetchone()[0]
    plan = su.batch_plan(info, (args.batches + args.skip) * 1000, 1000)
    bodies = [su.batch_body(info, item) for item in plan]
    client = Client(SERVER_NAME="127.0.0.1")
    headers = {"HTTP_AUTHORIZATION": f"Bearer {info['token']}"}

    def post(body: bytes) -> None:
        response = client.post(
            "/api/v1/sampling/events", body, content_type="application/json", **headers
        )
        assert response.status_code == 200, response.content[:300]
        assert json.loads(response.content)["stored"] == 1000, response.content[:300]

    for body in bodies[: args.skip]:
        post(body)
    if args.gc_freeze:
        import gc

        gc.collect()
        gc.freeze()
    profiler: Any = None
    if args.cprofile:
        import cProfile

        profiler = cProfile.Profile(time.process_time)
        profiler.start = profiler.enable
        profiler.stop = profiler.disable
    elif args.statements:
        profiler = StatementClock(backend)
    elif not args.no_profile:
        from pyinstrument import Profiler

        profiler = Profiler(interval=0.0005)
    measured = bodies[args.skip :]
    events = 1000 * len(measured)
    py0, pg0, wall0 = sum(os.times()[:2]), backend_cpu(backend), time.perf_counter()
    if profiler:
        profiler.start()
    for body in measured:
        post(body)
    if profiler:
        profiler.stop()
    py = sum(os.times()[:2]) - py0
    pg = backend_cpu(backend) - pg0
    wall = time.perf_counter() - wall0
    su.say(
        f"{events:,} events: wall {1e6 * wall / events:.0f} µs/event, Python CPU "
        f"{1e6 * py / events:.0f} µs/event, PostgreSQL backend CPU {1e6 * pg / events:.0f} "
        f"µs/event (load average {os.getloadavg()[0]:.1f})"
    )
    if profiler and args.cprofile:
        import io
        import pstats

        out_text = io.StringIO()
        stats = pstats.Stats(profiler, stream=out_text)
        stats.sort_stats("cumulative").print_stats(60)
        stats.sort_stats("tottime").print_stats(40)
        (ROOT / "bench" / "out" / "profile_upload_cprofile.txt").write_text(out_text.getvalue())
        print(out_text.getvalue())
    elif args.statements:
        print(profiler.report(events))
    elif profiler:
        text = profiler.output_text(unicode=False, color=False, show_all=False)
        out = ROOT / "bench" / "out" / "profile_upload.txt"
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_text(text)
        print(text)


if __name__ == "__main__":
    main()
