"""A gunicorn worker killed (`kill -9`) in the middle of storing a batch loses nothing and
doubles nothing: the batch's transaction dies with it, the device sends the batch again (as the
point page does), and afterwards every event is stored once and every tube's count equals a
recount from the events.

A real gunicorn on a free loopback port against the test database; PostgreSQL only (the
SQLite test database is in memory, out of reach of another process). Bounded: a few hundred
events, a minute at most on a loaded machine.
"""

import http.client
import json
import os
import signal
import socket
import subprocess
import sys
import threading
import time
import uuid
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection
from django.db.models import Count

from tongxin.accounts.models import ApiToken
from tongxin.factories import PersonFactory
from tongxin.sampling.models import RoundHousehold, SampledPerson, SampleEvent, Tube

from .conftest import local

PEOPLE, TUBES, PER_TUBE, TUBES_PER_BATCH = 20, 40, 20, 4
DEADLINE_SECONDS = 90


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _children(pid: int) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            if int(stat.rsplit(")", 1)[1].split()[1]) == pid:
                found.append(int(entry.name))
    return found


def _database_url() -> str:
    db = connection.settings_dict
    auth = db["USER"] or "postgres"
    if db.get("PASSWORD"):
        auth += f":{db['PASSWORD']}"
    return f"postgres://{auth}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"


def _post(port: int, body: bytes, token: str) -> tuple[int, dict[str, str], bytes]:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    try:
        conn.request(
            "POST",
            "/api/v1/sampling/events",
            body,
            {"Content-Type": "application/json", "Authorization": f"Bearer {token}"},
        )
        response = conn.getresponse()
        return response.status, dict(response.getheaders()), response.read()
    finally:
        conn.close()


@pytest.mark.django_db(transaction=True)
def test_a_worker_killed_mid_batch_loses_and_doubles_nothing(world, tmp_path):
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL: gunicorn cannot reach the in-memory SQLite test database")
    home = world.homes["s2-201"]
    people = [PersonFactory(household=home) for _ in range(PEOPLE)]
    _token, key = ApiToken.issue(world.users["sampler"], "采样终端 kill")

    # Every tube holds distinct people; every batch is a few whole tubes.
    batches = []
    sent_ids = set()
    for first in range(0, TUBES, TUBES_PER_BATCH):
        events = []
        for tube in range(first, first + TUBES_PER_BATCH):
            for i in range(PER_TUBE):
                event_id = str(uuid.uuid4())
                sent_ids.add(event_id)
                person = people[i % PEOPLE]
                events.append(
                    {
                        "id": event_id,
                        "tube": f"KILL-{tube:03d}",
                        "document_number": person.document_number,
                        "sampled_at": local(6, 9, tube % 60).isoformat(),
                    }
                )
        body = {
            "round": world.round.pk,
            "point": world.point.pk,
            "tube_mode": "pool_20",
            "events": events,
        }
        batches.append(json.dumps(body).encode())

    port = _free_port()
    env = dict(os.environ)
    env.update(
        {
            "DJANGO_SETTINGS_MODULE": "tongxin.settings",
            "TONGXIN_DATABASE_URL": _database_url(),
            "TONGXIN_DATA_DIR": str(tmp_path),
            "TONGXIN_SECRET_KEY": settings.SECRET_KEY,
            "TONGXIN_FIELD_KEYS": ",".join(settings.TONGXIN_FIELD_KEYS),
            "TONGXIN_BLIND_INDEX_KEYS": ",".join(settings.TONGXIN_BLIND_INDEX_KEYS),
            "TONGXIN_DEBUG": "0",
            "TONGXIN_UPLOAD_CONCURRENCY": "4",
        }
    )
    gunicorn = Path(sys.executable).parent / "gunicorn"
    log = (tmp_path / "gunicorn.log").open("w")
    server = subprocess.Popen(
        [str(gunicorn), "tongxin.wsgi", "--preload", "--workers", "1", "--bind",
         f"127.0.0.1:{port}", "--timeout", "60", "--log-level", "warning"],
        env=env, stdout=log, stderr=subprocess.STDOUT,
    )  # fmt: skip
    deadline = time.monotonic() + DEADLINE_SECONDS
    stored: dict[str, str] = {}
    failures = {"reset": 0, "busy": 0}
    lock = threading.Lock()
    try:
        while True:  # up and answering
            try:
                conn = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
                conn.request("GET", "/api/v1/openapi.json")
                conn.getresponse().read()
                conn.close()
                break
            except OSError:
                assert server.poll() is None, (tmp_path / "gunicorn.log").read_text()
                assert time.monotonic() < deadline, "gunicorn did not start"
                time.sleep(0.1)

        def device(mine: list[bytes]) -> None:
            # As the point page: a batch is sent until the server answers for it.
            for body in mine:
                while time.monotonic() < deadline:
                    try:
                        status, headers, content = _post(port, body, key)
                    except (OSError, http.client.HTTPException):
                        with lock:
                            failures["reset"] += 1
                        time.sleep(0.05)
                        continue
                    if status in (429, 503):
                        with lock:
                            failures["busy"] += 1
                        time.sleep(min(float(headers.get("Retry-After", "1")), 0.2))
                        continue
                    assert status == 200, content[:300]
                    with lock:
                        for result in json.loads(content)["results"]:
                            stored.setdefault(result["id"], result["status"])
                    break

        clients = [threading.Thread(target=device, args=(batches[i::2],)) for i in range(2)]
        for client in clients:
            client.start()

        # Kill the worker while one of its uploads holds an open transaction.
        killed = False
        with connection.cursor() as cursor:
            while not killed and time.monotonic() < deadline and any(c.is_alive() for c in clients):
                cursor.execute(
                    "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
                    "AND pid <> pg_backend_pid() AND xact_start IS NOT NULL "
                    "AND backend_type = 'client backend'"
                )
                if cursor.fetchone()[0]:
                    for worker in _children(server.pid):
                        os.kill(worker, signal.SIGKILL)
                        killed = True
        for client in clients:
            client.join(max(1.0, deadline - time.monotonic()))
        assert not any(c.is_alive() for c in clients), "the uploads did not finish in time"
    finally:
        server.send_signal(signal.SIGTERM)
        try:
            server.wait(20)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()
        log.close()

    assert killed, "no upload was caught in its transaction"
    assert failures["reset"] >= 1  # the client saw the worker die under its request
    # Every event sent is stored, once.
    assert set(stored) == sent_ids
    in_db = list(SampleEvent.objects.values_list("client_event_id", flat=True))
    assert len(in_db) == len(set(in_db)) == len(sent_ids)
    assert {str(i) for i in in_db} == sent_ids
    # Tube counts equal a recount from the events.
    recount = dict(
        SampleEvent.objects.values("tube__barcode")
        .annotate(n=Count("id"))
        .values_list("tube__barcode", "n")
    )
    assert dict(Tube.objects.values_list("barcode", "sample_count")) == recount
    assert set(recount.values()) == {PER_TUBE}
    # The round's tallies too: each person counted once, the household's sampled figure too.
    assert SampledPerson.objects.filter(round=world.round).count() == PEOPLE
    tally = RoundHousehold.objects.get(round=world.round, household=home)
    assert tally.sampled + tally.sampled_other == PEOPLE
