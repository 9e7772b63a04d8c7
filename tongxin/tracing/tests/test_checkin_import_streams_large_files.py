"""The CLI import streams its file: bounded memory, a batch at a time, for .csv and .xlsx.

The batch size is made small so a file of a few hundred rows crosses many batches: every row
is stored, the rejected rows are still named by their row number in the file, and the file is
never read into memory whole (Path.read_bytes refuses)."""

import io
import json
import random
from pathlib import Path

import openpyxl
import pytest
from django.core.management import call_command

from tongxin.factories import make_id_number
from tongxin.tracing.factories import VenueFactory
from tongxin.tracing.models import CheckIn, OutsidePerson
from tongxin.tracing.services import checkins, sheets
from tongxin.tracing.services.checkins import import_file

ROWS = 300
BAD = {50: "venue", 123: "time", 250: "identity"}  # file row numbers (the header is row 1)


def _rows(world):
    rng = random.Random(11)  # noqa: S311 (test data)
    residents = [p for people in world.people.values() for p in people]
    visitors = [make_id_number(region="330802", rng=rng) for _ in range(40)]
    rows = []
    for n in range(2, ROWS + 2):
        who = residents[n % len(residents)].document_number if n % 3 else visitors[n % 40]
        day, minute = 9 + n % 5, n % 600
        at = f"2022-03-{day:02d} {8 + minute // 60:02d}:{minute % 60:02d}:00"
        venue = f"QY{n % 7:04d}"
        if BAD.get(n) == "venue":
            venue = "NOPE"
        if BAD.get(n) == "time":
            at = "昨天下午"
        if BAD.get(n) == "identity":
            who = ""
        rows.append([venue, "某人", who, at, ""])
    return rows


def _csv(path: Path, rows, encoding="utf-8"):
    lines = ["场所码,姓名,证件号码,扫码时间,离开时间", *(",".join(r) for r in rows)]
    path.write_bytes(("\n".join(lines) + "\n").encode(encoding))
    return path


@pytest.fixture
def streaming(monkeypatch):
    """Batches of 17 rows, and a record of each batch stored; reading a whole file fails."""
    sizes = []
    store = checkins._Importer.store

    def recording(self, parsed, storers=None):
        sizes.append(parsed.rows)
        return store(self, parsed, storers)

    def whole(self):
        raise AssertionError("the file was read whole")

    monkeypatch.setattr(checkins, "BATCH", 17)
    monkeypatch.setattr(checkins._Importer, "store", recording)
    monkeypatch.setattr(Path, "read_bytes", whole)
    return sizes


def _stored_as_expected(world, result, sizes):
    assert result == {
        "rows": ROWS,
        "stored": ROWS - len(BAD),
        "duplicate": 0,
        "unmatched": result["unmatched"],
        "rejected": len(BAD),
        "rejected_reasons": {"venue": 1, "time": 1, "identity": 1},
    }
    assert result["unmatched"] == sum(1 for n in range(2, ROWS + 2) if n % 3 == 0 and n not in BAD)
    assert CheckIn.objects.count() == ROWS - len(BAD)
    assert OutsidePerson.objects.count() == 40  # every visitor kept, once
    assert sizes[:-1] == [17] * (len(sizes) - 1) and sum(sizes) == ROWS


def test_the_cli_imports_a_csv_a_batch_at_a_time(world, tmp_path, streaming):
    for i in range(7):
        VenueFactory(code=f"QY{i:04d}")
    path = _csv(tmp_path / "scans.csv", _rows(world))
    out = io.StringIO()
    call_command("tracing", "import-checkins", str(path), "--json", stdout=out)
    _stored_as_expected(world, json.loads(out.getvalue()), streaming)
    # Again, through the service: nothing stored twice, the rejected rows by their number.
    again = import_file(world.incident, path, path.name)
    assert (again.stored, again.duplicate, again.rejected) == (0, ROWS - len(BAD), len(BAD))
    assert [(e["row"], e["reason"]) for e in again.errors] == sorted(BAD.items())


def test_the_cli_imports_an_xlsx_a_batch_at_a_time(world, tmp_path, streaming):
    for i in range(7):
        VenueFactory(code=f"QY{i:04d}")
    book = openpyxl.Workbook(write_only=True)
    sheet = book.create_sheet()
    sheet.append(["场所码扫码记录导出"])  # a title row: the data rows move down by one
    sheet.append(["场所码", "姓名", "证件号码", "扫码时间", "离开时间"])
    for row in _rows(world):
        sheet.append(row)
    path = tmp_path / "scans.xlsx"
    book.save(path)
    out = io.StringIO()
    call_command("tracing", "import-checkins", str(path), "--json", stdout=out)
    _stored_as_expected(world, json.loads(out.getvalue()), streaming)
    again = import_file(world.incident, path, path.name)
    assert [(e["row"], e["reason"]) for e in again.errors] == [
        (n + 1, reason) for n, reason in sorted(BAD.items())
    ]


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "gbk"])
def test_the_encoding_is_found_without_reading_the_file_whole(tmp_path, monkeypatch, encoding):
    # Sniffed a few bytes at a time: a chunk boundary inside a character is no error.
    monkeypatch.setattr(sheets, "SNIFF_CHUNK", 7)
    row = ["QY0001", "张三丰", "", "2022-03-09 10:00:00", ""]
    path = _csv(tmp_path / "scans.csv", [row], encoding)
    rows = list(sheets.read_rows(path, path.name, checkins.SYNONYMS, ("venue_code", "entered_at")))
    assert [(r["_row"], r["name"], r["venue_code"]) for r in rows] == [(2, "张三丰", "QY0001")]


def test_the_row_key_is_the_uuid5_of_the_scan(world):
    # Files imported by earlier versions must still store once: the key did not change.
    import uuid

    from tongxin.core import crypto

    VenueFactory(code="QY0001")
    zhang = world.one("1801")
    checkins.import_rows(
        world.incident,
        [{"venue_code": "QY0001", "document_number": zhang.document_number,
          "entered_at": "2022-03-09 10:00:00"}],
    )  # fmt: skip
    bidx = crypto.blind_index("resident_id", zhang.document_number)
    epoch = 1646791200  # 2022-03-09 10:00 in Asia/Shanghai
    name = f"{world.incident.pk}|QY0001|doc:resident_id:{bidx}|{epoch}"
    assert CheckIn.objects.get().row_key == uuid.uuid5(checkins.NAMESPACE, name)
