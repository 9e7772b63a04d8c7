"""Benchmark: the 7 a.m. surge. Many devices that queued samples offline reconnect at once.

    .venv/bin/python bench/sample_upload.py --seed-only          # once: seed tongxin_bench
    .venv/bin/python bench/surge.py                               # 300 devices
    .venv/bin/python bench/surge.py --devices 100 --no-docs       # smaller, docs untouched

On the database bench/sample_upload.py seeded (its bench/out/sample_upload/seed.json; the
sampling tables are emptied first), gunicorn serves the app on 127.0.0.1 with `--workers`
gthread workers of `--threads` threads (so that a request beyond the bound reaches the app and
is answered at once, instead of waiting unseen in the listen queue) and
`TONGXIN_UPLOAD_CONCURRENCY` (`--concurrency`) admitted uploads per worker. `--devices`
threads, each a device with its own API token and `--batches` queued batches of `--batch`
events (round 3, pooled tubes of 10), start together and behave as the point page does: a
429/503 is waited out for `Retry-After` (at least), doubling on every refusal in a row with
up to half again at random; a lost connection is retried the same way. Measured: latency of
admitted batches (p50/p95/max), how many answers were 429, 503 and anything else, the most
PostgreSQL connections open to the database at once, the time to drain, and afterwards the
events stored against the distinct events sent. Loopback only, bounded by `--deadline`.
"""

import argparse
import datetime as dt
import http.client
import json
import os
import random
import statistics
import sys
import threading
import time
import uuid
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "bench"))
import _server  # noqa: E402  (gunicorn on the loopback, the seeded county's file)
import sample_upload as su  # noqa: E402  (the seeded county, its environment)

OUT = ROOT / "bench" / "out" / "surge"
DOC = ROOT / "docs" / "performance.md"
BEGIN, END = "<!-- bench:surge -->", "<!-- /bench:surge -->"
POOL = 10


def percentile(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


class Device(threading.Thread):
    MAX_WAIT = 60.0  # the point page's cap on its own wait

    def __init__(self, port: int, token: str, batches: list[bytes], deadline: float, go: Any):
        super().__init__(daemon=True)
        self.port, self.token, self.batches, self.deadline, self.go = (
            port, token, batches, deadline, go,
        )  # fmt: skip
        self.latencies: list[float] = []
        self.answers: dict[str, int] = {}
        self.stored = 0
        self.unsent = 0

    def count(self, key: str) -> None:
        self.answers[key] = self.answers.get(key, 0) + 1

    def run(self) -> None:
        self.go.wait()
        headers = {"Authorization": f"Bearer {self.token}", "Content-Type": "application/json"}
        for body in self.batches:
            refusals = 0
            while True:
                if time.monotonic() > self.deadline:
                    self.unsent += 1
                    break
                started = time.perf_counter()
                conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=60)
                try:
                    conn.request("POST", "/api/v1/sampling/events", body=body, headers=headers)
                    response = conn.getresponse()
                    payload = response.read()
                    status = response.status
                    retry_after = response.getheader("Retry-After")
                except (OSError, http.client.HTTPException):
                    status, payload, retry_after = 0, b"", None
                finally:
                    conn.close()
                elapsed = time.perf_counter() - started
                self.count(str(status) if status else "connection error")
                if status == 200:
                    self.latencies.append(elapsed)
                    self.stored += json.loads(payload)["stored"]
                    break
                refusals += 1
                told = float(retry_after) if retry_after else 0.0
                wait = max(told, min(self.MAX_WAIT, 2 ** (refusals - 1)))
                time.sleep(wait + random.random() * wait / 2)


def device_uploads(
    info: dict[str, Any], round_index: int, devices: int, batches: int, batch: int, *,
    tag: int, tube: str, label: str,
) -> tuple[set[str], list[tuple[str, list[bytes]]]]:  # fmt: skip
    """The distinct event ids sent, and each device's API token with its queued batches
    (request bodies): residents of the seeded round `round_index` in order, pooled tubes of
    10 named `tube` (a format of d, b, t: device, batch, tube), event ids marked with `tag`
    (one per benchmark), tokens named `label` and the device's number."""
    from tongxin.accounts.models import ApiToken, User

    people = su.round_people(round_index, info["people"])
    need = devices * batches * batch
    if need > len(people):
        sys.exit(f"{need} events need {need} residents; the seeded county has {len(people)}")
    start = dt.datetime.fromisoformat(info["starts"][round_index])
    device_user = User.objects.get(username="device")
    sent: set[str] = set()
    work = []
    for d in range(devices):
        bodies = []
        for b in range(batches):
            first = (d * batches + b) * batch
            events = []
            for n, p in enumerate(people[first : first + batch]):
                event_id = str(uuid.UUID(int=(tag << 120) | p))
                sent.add(event_id)
                events.append(
                    {
                        "id": event_id,
                        "tube": tube.format(d=d, b=b, t=n // POOL),
                        "document_number": su.id_number(p),
                        "sampled_at": (start + dt.timedelta(seconds=first + n)).isoformat(),
                        "point": info["points"][d % len(info["points"])],
                    }
                )
            body = {"round": info["rounds"][round_index], "tube_mode": "pool_10", "events": events}
            bodies.append(json.dumps(body, ensure_ascii=False).encode())
        _token, key = ApiToken.issue(device_user, f"{label} {d}")
        work.append((key, bodies))
    return sent, work


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--devices", type=int, default=300)
    parser.add_argument("--batches", type=int, default=2, help="queued batches per device")
    parser.add_argument("--batch", type=int, default=100, help="events per batch")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--threads", type=int, default=8, help="gthread threads per worker")
    parser.add_argument("--concurrency", type=int, default=1, help="admitted uploads per worker")
    parser.add_argument("--port", type=int, default=8766)
    parser.add_argument("--db", default="tongxin_bench")
    parser.add_argument("--deadline", type=float, default=900.0, help="seconds, at most")
    parser.add_argument("--no-docs", action="store_true")
    args = parser.parse_args()
    if not 1 <= args.devices <= 300 or not 1 <= args.batches <= 10:
        parser.error("at most 300 devices and 10 batches each (bounded)")
    info = _server.seeded(su.OUT / "seed.json")
    OUT.mkdir(parents=True, exist_ok=True)
    env = su.environment(argparse.Namespace(db=args.db, clients=args.concurrency))
    env["TONGXIN_UPLOAD_CONCURRENCY"] = str(args.concurrency)
    env["TONGXIN_UPLOAD_BATCHES_PER_MINUTE"] = "120"
    os.environ.update(env)
    import django

    django.setup()

    _server.empty_sampling_tables()
    sent, devices_work = device_uploads(
        info, 2, args.devices, args.batches, args.batch,
        tag=0xC0, tube="S{d:03d}B{b}T{t:03d}", label="surge",
    )  # fmt: skip
    connections_max = 0
    stop = threading.Event()

    def watch_connections() -> None:
        nonlocal connections_max
        import psycopg

        with psycopg.connect(f"dbname={args.db}", autocommit=True) as conn:
            while not stop.is_set():
                n = conn.execute(
                    "SELECT count(*) FROM pg_stat_activity WHERE datname = %s "
                    "AND pid <> pg_backend_pid()",
                    [args.db],
                ).fetchone()[0]
                connections_max = max(connections_max, n)
                stop.wait(0.1)

    with _server.serving(
        env, args.port, args.workers, OUT / "gunicorn.log", threads=args.threads, backlog=2048
    ):
        go = threading.Event()
        end = time.monotonic() + args.deadline
        devices = [Device(args.port, key, work, end, go) for key, work in devices_work]
        for device in devices:
            device.start()
        watcher = threading.Thread(target=watch_connections, daemon=True)
        watcher.start()
        su.say(f"{args.devices} devices × {args.batches} batches × {args.batch} events: go")
        started = time.monotonic()
        go.set()
        for device in devices:
            device.join(max(0.0, end + 120 - time.monotonic()))
        drained = time.monotonic() - started
        stop.set()

    latencies = [x for d in devices for x in d.latencies]
    answers: dict[str, int] = {}
    for device in devices:
        for k, v in device.answers.items():
            answers[k] = answers.get(k, 0) + v
    from tongxin.sampling.models import SampleEvent

    stored_ids = {str(i) for i in SampleEvent.objects.values_list("client_event_id", flat=True)}
    stored_rows = SampleEvent.objects.count()
    result = {
        "devices": args.devices,
        "batches": args.batches,
        "batch": args.batch,
        "workers": args.workers,
        "concurrency": args.concurrency,
        "threads": args.threads,
        "sent_distinct": len(sent),
        "stored_rows": stored_rows,
        "stored_equals_sent": stored_ids == sent and stored_rows == len(sent),
        "unsent_batches": sum(d.unsent for d in devices),
        "admitted": len(latencies),
        "p50_s": statistics.median(latencies) if latencies else None,
        "p95_s": percentile(latencies, 0.95),
        "max_s": max(latencies) if latencies else None,
        "answers": answers,
        "db_connections_max": connections_max,
        "drain_s": drained,
        "throughput_events_s": stored_rows / drained if drained else None,
    }
    (OUT / "result.json").write_text(json.dumps(result, indent=2))
    print(json.dumps(result, indent=2))
    if not args.no_docs:
        write_docs(result)


def write_docs(r: dict[str, Any]) -> None:
    a = r["answers"]
    other = {k: v for k, v in a.items() if k not in {"200", "429", "503"}}
    text = (
        f"{BEGIN}\n"
        f"Run: `bench/surge.py --devices {r['devices']} --batches {r['batches']} "
        f"--batch {r['batch']} --workers {r['workers']} --threads {r['threads']} "
        f"--concurrency {r['concurrency']}` "
        f"on {su.machine()}.\n\n"
        "| measure | value |\n|---|---|\n"
        f"| devices × queued batches × events | {r['devices']} × {r['batches']} × {r['batch']} |\n"
        f"| admitted batches (200) | {a.get('200', 0)} |\n"
        f"| p50 / p95 / max of admitted batches | {r['p50_s']:.2f} s / {r['p95_s']:.2f} s / "
        f"{r['max_s']:.2f} s |\n"
        f"| 429 answers | {a.get('429', 0)} |\n"
        f"| 503 answers | {a.get('503', 0)} |\n"
        f"| any other answer (5xx, lost connection) | {sum(other.values())} {other or ''} |\n"
        f"| most DB connections at once | {r['db_connections_max']} |\n"
        f"| time to drain | {r['drain_s']:.1f} s ({r['throughput_events_s']:,.0f} events/s) |\n"
        f"| distinct events sent / stored rows | {r['sent_distinct']:,} / {r['stored_rows']:,} "
        f"({'equal, same ids' if r['stored_equals_sent'] else 'NOT EQUAL'}) |\n"
        f"{END}"
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
