"""The check-in key is unique with its venue and entry second (one index for idempotency and
co-presence): scans stored by an earlier version still store once, and a big PostgreSQL import
stores its batches through two connections with the same counts as through one."""

import datetime as dt
import importlib
import uuid
from types import SimpleNamespace

import pytest
from django.apps import apps
from django.db import OperationalError, connection
from psycopg.errors import DeadlockDetected

from tongxin.core import crypto
from tongxin.factories import make_id_number
from tongxin.tracing.factories import VenueFactory
from tongxin.tracing.models import CheckIn, OutsidePerson
from tongxin.tracing.services import checkins, purge
from tongxin.tracing.services.checkins import NAMESPACE, import_rows

from .conftest import local

migration = importlib.import_module("tongxin.tracing.migrations.0007_checkin_key_with_venue_time")


def _stored_as_before(world, venue, person, entered: dt.datetime) -> CheckIn:
    """A scan as the earlier versions stored it: the uuid5 key (entry epoch rounded to the
    second) and the entry time as parsed, fraction included."""
    bidx = crypto.blind_index("resident_id", person.document_number)
    name = f"{world.incident.pk}|{venue.code}|doc:resident_id:{bidx}|{entered.timestamp():.0f}"
    return CheckIn.objects.create(
        incident=world.incident, venue=venue, person=person, entered_at=entered,
        left_at=entered + dt.timedelta(hours=1), row_key=uuid.uuid5(NAMESPACE, name),
    )  # fmt: skip


def test_a_scan_stored_by_an_earlier_version_stores_once(world):
    venue = VenueFactory(code="K7")
    zhang = world.one("1801")
    _stored_as_before(world, venue, zhang, local(9, 10))
    row = {"venue_code": "K7", "document_number": zhang.document_number,
           "entered_at": "2022-03-09 10:00:00"}  # fmt: skip
    summary = import_rows(world.incident, [row])
    assert (summary.stored, summary.duplicate) == (0, 1)
    assert CheckIn.objects.count() == 1


def test_a_fraction_of_a_second_is_stored_as_the_seconds_the_key_names(world):
    VenueFactory(code="K8")
    zhang = world.one("1801")
    row = {"venue_code": "K8", "document_number": zhang.document_number,
           "entered_at": "2022-03-09T10:00:00.600+08:00",
           "exited_at": "2022-03-09T10:20:00.400+08:00"}  # fmt: skip
    assert import_rows(world.incident, [row]).stored == 1
    scan = CheckIn.objects.get()
    assert scan.entered_at == local(9, 10) + dt.timedelta(seconds=1)
    assert scan.exited_at == scan.left_at == local(9, 10, 20)
    again = import_rows(world.incident, [{**row, "entered_at": "2022-03-09 10:00:01"}])
    assert (again.stored, again.duplicate) == (0, 1)


def test_the_migration_rounds_earlier_fractions_so_the_scan_still_stores_once(world):
    venue = VenueFactory(code="K9")
    zhang = world.one("1801")
    entered = local(9, 10) + dt.timedelta(milliseconds=600)
    _stored_as_before(world, venue, zhang, entered)
    migration.round_to_the_key_second(apps, SimpleNamespace(connection=connection))
    scan = CheckIn.objects.get()
    assert scan.entered_at == local(9, 10) + dt.timedelta(seconds=1)
    assert scan.left_at == local(9, 11) + dt.timedelta(seconds=1)
    row = {"venue_code": "K9", "document_number": zhang.document_number,
           "entered_at": "2022-03-09T10:00:00.600+08:00"}  # fmt: skip
    assert import_rows(world.incident, [row]).stored == 0
    assert CheckIn.objects.count() == 1


def _rows(world):
    """60 scans over three venues: residents, two visitors seen in many batches, repeats of
    earlier scans a few batches later (likely in flight on the other connection)."""
    for code in ("P1", "P2", "P3"):
        VenueFactory(code=code)
    people = [world.one("1801"), world.one("1802"), world.one("1701"), world.one("1901")]
    numbers = [p.document_number for p in people]
    numbers += [make_id_number(region="330802"), make_id_number(region="330881")]
    rows = []
    for i in range(60):
        rows.append(
            {
                "_row": i + 2,
                "venue_code": ("P1", "P2", "P3")[i % 3],
                "document_number": numbers[i % len(numbers)],
                "entered_at": f"2022-03-09 {8 + i // 6:02d}:{i % 6 * 10:02d}:00",
            }
        )
    for i in range(0, 60, 7):  # the same scan again, a batch or two later
        rows.insert(min(i + 9, len(rows)), {**rows[i], "_row": 100 + i})
    return rows


@pytest.mark.django_db(transaction=True)
def test_two_connections_store_the_same_as_one(world, monkeypatch):
    used = []

    class Counting(checkins._Storers):
        def submit(self, staged):
            used.append(len(staged))
            super().submit(staged)

    monkeypatch.setattr(checkins, "_Storers", Counting)
    rows = _rows(world)
    first = import_rows(world.incident, rows, batch_size=5).as_dict()
    assert first == {
        "rows": 69, "stored": 60, "duplicate": 9, "unmatched": 20, "rejected": 0,
        "rejected_reasons": {},
    }  # fmt: skip
    assert CheckIn.objects.count() == 60
    assert OutsidePerson.objects.count() == 2
    assert CheckIn.objects.filter(outside_person__isnull=False).count() == 20
    # On PostgreSQL every batch went through the storers' connections (the import has more
    # than one batch); SQLite (one writer) stores in the importing thread.
    assert sum(used) == (69 if connection.vendor == "postgresql" else 0)
    again = import_rows(world.incident, rows, batch_size=7).as_dict()
    assert (again["stored"], again["duplicate"], again["unmatched"]) == (0, 69, 20)
    assert OutsidePerson.objects.count() == 2


def test_a_deadlock_between_the_two_connections_is_retried(world, monkeypatch):
    calls = []

    def deadlocked_once(imp, staged):
        calls.append(1)
        if len(calls) == 1:
            raise OperationalError("deadlock detected") from DeadlockDetected()
        return len(staged)

    monkeypatch.setattr(checkins, "_store_pg", deadlocked_once)
    assert checkins._store_retrying(None, [1, 2, 3]) == 3  # type: ignore[arg-type, list-item]
    assert len(calls) == 2

    def other_error(imp, staged):
        raise OperationalError("connection lost")

    monkeypatch.setattr(checkins, "_store_pg", other_error)
    with pytest.raises(OperationalError):
        checkins._store_retrying(None, [1])  # type: ignore[arg-type, list-item]


def test_the_purge_walks_the_primary_key_batch_after_batch(world, monkeypatch):
    monkeypatch.setattr(purge, "BATCH", 2)
    VenueFactory(code="PG1")
    zhang = world.one("1801")
    rows = [{"venue_code": "PG1", "document_number": zhang.document_number,
             "entered_at": f"2022-03-09 1{h}:00:00"} for h in range(5)]  # fmt: skip
    import_rows(world.incident, rows)
    assert purge.purge(world.incident, dry_run=True)["check_ins"] == 5
    assert purge.purge(world.incident, dry_run=False)["check_ins"] == 5
    assert not CheckIn.objects.exists()


def test_the_collector_thresholds_come_back_after_overlapping_imports():
    import gc

    before = gc.get_threshold()
    with checkins._fewer_collections():
        assert gc.get_threshold()[0] > before[0]
        with checkins._fewer_collections():  # a second import in the same process
            pass
        assert gc.get_threshold()[0] > before[0]
    assert gc.get_threshold() == before
