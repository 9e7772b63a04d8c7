"""Benchmark: faults during a sustained upload. A gunicorn worker is killed (`kill -9`) while
one of its uploads holds an open transaction, and PostgreSQL is restarted once; devices retry
as the point page does. Afterwards: no event lost, none doubled, tube counts and the coverage
tallies equal to a recount from the events.

    .venv/bin/python bench/sample_upload.py --seed-only          # once: seed tongxin_bench
    .venv/bin/python bench/faults.py                              # kill + PostgreSQL restart
    .venv/bin/python bench/faults.py --no-restart-postgres        # the worker kill only

`--restart-postgres` (the default) restarts the local cluster with
`pg_ctlcluster --skip-systemctl-redirect <version> <--cluster> restart`: every other
connection to that server is cut too, so on a shared machine give the benchmark a cluster of
its own (`pg_createcluster 15 bench --port 5499`, seed it with `PGPORT=5499 … --seed-only`,
run with `PGPORT=5499 … --cluster bench`). Loopback only; bounded
by `--deadline`. Figures go to docs/performance.md between the bench:faults markers.
"""

import argparse
import json
import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "bench"))
import _server  # noqa: E402
import sample_upload as su  # noqa: E402
import surge  # noqa: E402

OUT = ROOT / "bench" / "out" / "faults"
DOC = ROOT / "docs" / "performance.md"
BEGIN, END = "<!-- bench:faults -->", "<!-- /bench:faults -->"


def workers_of(master: int) -> list[int]:
    found = []
    for task in Path(f"/proc/{master}/task").iterdir():
        found += [int(c) for c in (task / "children").read_text().split()]
    return found


def open_transactions(db: str) -> int:
    import psycopg

    try:
        with psycopg.connect(f"dbname={db}", autocommit=True, connect_timeout=2) as conn:
            row = conn.execute(
                "SELECT count(*) FROM pg_stat_activity WHERE datname = %s "
                "AND xact_start IS NOT NULL AND pid <> pg_backend_pid() "
                "AND backend_type = 'client backend'",
                [db],
            ).fetchone()
            return int(row[0]) if row else 0
    except psycopg.OperationalError:
        return 0


def restart_postgres(cluster: str) -> float:
    version = sorted(os.listdir("/etc/postgresql"))[-1]
    started = time.monotonic()
    subprocess.run(
        ["pg_ctlcluster", "--skip-systemctl-redirect", version, cluster, "restart"], check=True
    )
    return time.monotonic() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--devices", type=int, default=20)
    parser.add_argument("--batches", type=int, default=10, help="batches per device")
    parser.add_argument("--batch", type=int, default=200, help="events per batch")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--threads", type=int, default=4)
    parser.add_argument("--concurrency", type=int, default=2)
    parser.add_argument("--port", type=int, default=8767)
    parser.add_argument("--db", default="tongxin_bench")
    parser.add_argument("--deadline", type=float, default=600.0)
    parser.add_argument("--restart-postgres", action=argparse.BooleanOptionalAction, default=True)
    parser.add_argument(
        "--cluster", default="main", help="the pg_ctlcluster cluster to restart (PGPORT picks it)"
    )
    parser.add_argument("--no-docs", action="store_true")
    args = parser.parse_args()
    if not 1 <= args.devices <= 300 or not 1 <= args.batches <= 50:
        parser.error("at most 300 devices and 50 batches each (bounded)")
    info = _server.seeded(su.OUT / "seed.json")
    OUT.mkdir(parents=True, exist_ok=True)
    env = su.environment(argparse.Namespace(db=args.db, clients=args.concurrency))
    env["TONGXIN_UPLOAD_CONCURRENCY"] = str(args.concurrency)
    env["TONGXIN_UPLOAD_BATCHES_PER_MINUTE"] = "0"
    env["TONGXIN_DB_CONN_MAX_AGE"] = "0"
    os.environ.update(env)
    import django

    django.setup()
    from django.db import connection
    from django.db.models import Count

    from tongxin.sampling.models import RoundHousehold, SampledPerson, SampleEvent, Tube

    round_id = info["rounds"][0]
    _server.empty_sampling_tables()
    need = args.devices * args.batches * args.batch
    sent, work = surge.device_uploads(
        info, 0, args.devices, args.batches, args.batch,
        tag=0xE0, tube="F{d:03d}B{b:02d}T{t:03d}", label="faults",
    )  # fmt: skip
    connection.close()

    events: dict[str, Any] = {}
    with _server.serving(
        env, args.port, args.workers, OUT / "gunicorn.log", threads=args.threads
    ) as server:
        go = threading.Event()
        end = time.monotonic() + args.deadline
        surge.Device.MAX_WAIT = 8.0
        devices = [surge.Device(args.port, key, batches, end, go) for key, batches in work]
        for device in devices:
            device.start()
        su.say(f"{args.devices} devices × {args.batches} batches × {args.batch} events: go")
        started = time.monotonic()
        go.set()

        def stored_so_far() -> int:
            return sum(d.stored for d in devices)

        # 1. kill -9 a worker while an upload holds an open transaction (a quarter in).
        while stored_so_far() < need // 4 and time.monotonic() < end:
            time.sleep(0.05)
        while time.monotonic() < end:
            if open_transactions(args.db):
                victim = workers_of(server.pid)[0]
                os.kill(victim, signal.SIGKILL)
                events["worker_killed_at_s"] = round(time.monotonic() - started, 1)
                events["stored_before_kill"] = stored_so_far()
                break
        # 2. restart PostgreSQL (half way).
        if args.restart_postgres:
            while stored_so_far() < need // 2 and time.monotonic() < end:
                time.sleep(0.05)
            events["postgres_restart_at_s"] = round(time.monotonic() - started, 1)
            events["postgres_restart_s"] = round(restart_postgres(args.cluster), 1)
        for device in devices:
            device.join(max(0.0, end + 60 - time.monotonic()))
        drained = time.monotonic() - started

    answers: dict[str, int] = {}
    for device in devices:
        for k, v in device.answers.items():
            answers[k] = answers.get(k, 0) + v
    stored_ids = [str(i) for i in SampleEvent.objects.values_list("client_event_id", flat=True)]
    recount_tubes = dict(
        SampleEvent.objects.values("tube_id").annotate(n=Count("id")).values_list("tube_id", "n")
    )
    tubes_ok = dict(Tube.objects.values_list("id", "sample_count")) == recount_tubes
    persons = SampleEvent.objects.filter(round_id=round_id).values("person_id").distinct().count()
    sampled_people = SampledPerson.objects.filter(round_id=round_id).count()
    by_household = dict(
        SampledPerson.objects.filter(round_id=round_id)
        .values("household_id")
        .annotate(n=Count("id"))
        .values_list("household_id", "n")
    )
    tallies = {
        h: s + o
        for h, s, o in RoundHousehold.objects.filter(round_id=round_id).values_list(
            "household_id", "sampled", "sampled_other"
        )
        if s + o
    }
    result = {
        "devices": args.devices,
        "batches": args.batches,
        "batch": args.batch,
        "workers": args.workers,
        "threads": args.threads,
        "restart_postgres": args.restart_postgres,
        "cluster": args.cluster,
        **events,
        "sent_distinct": len(sent),
        "stored_rows": len(stored_ids),
        "lost": len(sent - set(stored_ids)),
        "doubled": len(stored_ids) - len(set(stored_ids)),
        "tube_counts_equal_recount": tubes_ok,
        "sampled_people_equal_recount": sampled_people == persons,
        "household_tallies_equal_recount": tallies == by_household,
        "answers": answers,
        "unsent_batches": sum(d.unsent for d in devices),
        "drain_s": round(drained, 1),
    }
    (OUT / "result.json").write_text(json.dumps(result, indent=2))
    print(json.dumps(result, indent=2))
    if not args.no_docs:
        write_docs(result)


def write_docs(r: dict[str, Any]) -> None:
    rows = "\n".join(f"| {k} | {v} |" for k, v in r.items())
    fault = f" --cluster {r['cluster']}" if r["restart_postgres"] else " --no-restart-postgres"
    text = (
        f"{BEGIN}\nRun: `bench/faults.py --devices {r['devices']} --batches {r['batches']} "
        f"--batch {r['batch']}{fault}` "
        f"on {su.machine()}.\n\n| measure | value |\n|---|---|\n{rows}\n{END}"
    )
    doc = DOC.read_text()
    if BEGIN in doc:
        head, rest = doc.split(BEGIN, 1)
        doc = head + text + rest.split(END, 1)[1]
    else:
        doc += "\n" + text + "\n"
    DOC.write_text(doc)


if __name__ == "__main__":
    main()
