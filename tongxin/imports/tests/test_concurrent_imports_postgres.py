"""Two imports of overlapping files at the same moment, on real parallel connections: every
person and place exists once and the two results add up."""

import threading
from pathlib import Path

import pytest
from django.db import connection

from tongxin.factories import make_id_number
from tongxin.imports.services import ImportResult, import_residents
from tongxin.imports.tests.workbooks import resident, write_xlsx
from tongxin.people.models import Person
from tongxin.places.models import Place, PlaceKind


@pytest.mark.django_db(transaction=True)
def test_two_overlapping_imports_at_once_create_each_person_once(county, tmp_path: Path) -> None:
    if connection.vendor == "sqlite":
        pytest.skip("needs a database that lets two connections wait on each other (PostgreSQL)")
    shared = [
        resident(f"共同{i}", make_id_number(), building=str(1 + i % 5), room=str(100 + i))
        for i in range(300)
    ]
    only_a = [resident(f"甲{i}", make_id_number(), building="6", room=str(i)) for i in range(50)]
    only_b = [resident(f"乙{i}", make_id_number(), building="7", room=str(i)) for i in range(50)]
    files = [
        write_xlsx(tmp_path / "a.xlsx", shared + only_a),
        write_xlsx(tmp_path / "b.xlsx", list(reversed(shared)) + only_b),
    ]
    barrier = threading.Barrier(2)
    results: list[ImportResult] = []
    errors: list[BaseException] = []

    def run(path: Path) -> None:
        try:
            barrier.wait(timeout=10)
            results.append(import_residents(path))
        except BaseException as exc:
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(f,)) for f in files]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)

    assert errors == []
    assert Person.objects.count() == 400
    assert sum(r.created for r in results) == 400
    assert sum(r.unchanged for r in results) == 300
    buildings = Place.objects.filter(kind=PlaceKind.BUILDING).values_list("key", flat=True)
    assert sorted(buildings) == ["1", "2", "3", "4", "5", "6", "7"]
