"""Does partitioning sample events pay for the upload? Insert cost into a big table vs an
empty one (what a fresh per-round partition is).

    .venv/bin/python bench/sample_upload.py --db tx_bench --events 2000000 --residents 800000
    .venv/bin/python bench/partition_check.py --db tx_bench

On the database bench/sample_upload.py filled, two scratch tables are made `LIKE
sampling_sampleevent INCLUDING ALL` (same columns, indexes, unique constraint): one empty,
one holding a copy of every stored event. Then `--batches` batches of 1,000 new events go into
each, alternately, with the upload's own statement (`INSERT … SELECT FROM unnest(…) ON CONFLICT
(client_event_id) DO NOTHING RETURNING`), one transaction a batch; printed: PostgreSQL backend
CPU and wall time per event for each table. The scratch tables are dropped afterwards.
"""

import argparse
import datetime as dt
import os
import time
import uuid
from pathlib import Path

import psycopg

INSERT = (
    "INSERT INTO {t} (client_event_id, round_id, person_id, household_id, tube_id, point_id, "
    "door_task_id, sampled_at, repeat, received_at, recorded_by_id, source) "
    "SELECT e, r, p, h, t, pt, d, s, rp, now(), 1, 'device' FROM unnest(%b::uuid[], "
    "%b::bigint[], %b::bigint[], %b::bigint[], %b::bigint[], %b::bigint[], %b::bigint[], "
    "%b::timestamptz[], %b::boolean[]) AS v(e, r, p, h, t, pt, d, s, rp) "
    "ON CONFLICT (client_event_id) DO NOTHING RETURNING client_event_id"
)


def backend_cpu(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--db", default="tongxin_bench")
    parser.add_argument("--batches", type=int, default=40)
    args = parser.parse_args()
    conn = psycopg.connect(f"dbname={args.db}", autocommit=False)
    cur = conn.cursor()
    cur.execute("SELECT count(*) FROM sampling_sampleevent")
    stored = cur.fetchone()[0]
    for name in ("bench_part_empty", "bench_part_big"):
        cur.execute(f"DROP TABLE IF EXISTS {name}")
        cur.execute(f"CREATE TABLE {name} (LIKE sampling_sampleevent INCLUDING ALL)")
    started = time.perf_counter()
    cur.execute("INSERT INTO bench_part_big SELECT * FROM sampling_sampleevent")
    conn.commit()
    print(f"copied {stored:,} events into bench_part_big in {time.perf_counter() - started:.1f} s")
    conn.autocommit = True
    cur.execute("VACUUM ANALYZE bench_part_big")
    cur.execute("VACUUM ANALYZE bench_part_empty")
    conn.autocommit = False
    cur.execute("SELECT pg_backend_pid()")
    pid = cur.fetchone()[0]
    now = dt.datetime.now(dt.UTC)
    totals = {"bench_part_empty": [0.0, 0.0], "bench_part_big": [0.0, 0.0]}
    for batch in range(args.batches):
        for table in totals:
            base = batch * 1000
            columns = [
                [uuid.uuid4() for _ in range(1000)],
                [1] * 1000,
                [base + i for i in range(1000)],
                [base + i for i in range(1000)],
                [(base + i) // 10 for i in range(1000)],
                [5] * 1000,
                [None] * 1000,
                [now] * 1000,
                [False] * 1000,
            ]
            cpu, wall = backend_cpu(pid), time.perf_counter()
            cur.execute(INSERT.format(t=table), columns)
            cur.fetchall()
            conn.commit()
            totals[table][0] += backend_cpu(pid) - cpu
            totals[table][1] += time.perf_counter() - wall
    events = args.batches * 1000
    for table, (cpu, wall) in totals.items():
        print(
            f"{table}: PostgreSQL CPU {1e6 * cpu / events:.1f} µs/event, "
            f"wall {1e6 * wall / events:.1f} µs/event"
        )
    print(f"load average {os.getloadavg()[0]:.1f}")
    conn.autocommit = True
    for table in totals:
        cur.execute(f"DROP TABLE {table}")


if __name__ == "__main__":
    main()
