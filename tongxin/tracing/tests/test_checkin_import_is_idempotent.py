import datetime as dt
import io

import openpyxl

from tongxin.factories import make_id_number, make_mobile
from tongxin.tracing.factories import VenueFactory
from tongxin.tracing.models import CheckIn, OutsidePerson, VenueKind
from tongxin.tracing.services.checkins import import_file, import_rows

from .conftest import local


def _csv(rows):
    lines = ["场所码,姓名,证件号码,手机号,扫码时间,离开时间"]
    lines += [",".join(r) for r in rows]
    return "\n".join(lines).encode("utf-8")


def test_the_same_file_twice_stores_once(world):
    venue = VenueFactory(code="QY0001")
    zhang = world.one("1801")
    visitor_id = make_id_number(region="330802")
    data = _csv(
        [
            [
                "QY0001",
                "张三",
                zhang.document_number,
                "",
                "2022-03-09 10:00:00",
                "2022-03-09 10:40:00",
            ],
            ["QY0001", "外地人", visitor_id, "", "2022/3/9 10:05", ""],
            ["QY0001", "张三", zhang.document_number, "", "2022-03-09 10:00:00", ""],  # same scan
            ["NOPE", "某人", zhang.document_number, "", "2022-03-09 10:00:00", ""],
            ["QY0001", "某人", "", "", "2022-03-09 11:00:00", ""],
        ]
    )
    first = import_file(world.incident, data, "scans.csv").as_dict()
    assert first == {
        "rows": 5,
        "stored": 2,
        "duplicate": 1,
        "unmatched": 1,
        "rejected": 2,
        "rejected_reasons": {"venue": 1, "identity": 1},
    }
    second = import_file(world.incident, data, "scans.csv").as_dict()
    assert second["stored"] == 0 and second["duplicate"] == 3
    assert CheckIn.objects.filter(venue=venue).count() == 2
    # The visitor is kept as an outside person (encrypted, masked), never dropped.
    visitor = OutsidePerson.objects.get()
    assert visitor.document_number == visitor_id
    assert visitor.document_masked != visitor_id and visitor.region_code == "330802"
    assert CheckIn.objects.get(outside_person=visitor).venue == venue
    assert CheckIn.objects.get(person=zhang).left_at == local(9, 10, 40)


def test_matched_by_phone_when_no_id_number(world):
    VenueFactory(code="QY0002")
    wang = world.one("1802")
    stranger = make_mobile()
    summary = import_rows(
        world.incident,
        [
            {
                "venue_code": "QY0002",
                "phone": wang.phone,
                "entered_at": "2022-03-09T10:00:00+08:00",
            },
            {"venue_code": "QY0002", "phone": stranger, "entered_at": "2022-03-09T10:00:00+08:00"},
            {"venue_code": "QY0002", "phone": stranger, "entered_at": "2022-03-09T12:00:00+08:00"},
        ],
    )
    assert (summary.stored, summary.unmatched) == (3, 2)
    assert CheckIn.objects.filter(person=wang).count() == 1
    assert OutsidePerson.objects.count() == 1  # one stranger, two scans


def test_a_stay_without_exit_lasts_the_venue_kinds_default_from_the_edition(world):
    VenueFactory(code="R1", kind=VenueKind.RESTAURANT)
    VenueFactory(code="S1", kind=VenueKind.SUPERMARKET)
    edition = world.incident.policy_edition
    edition.rules["tracing"]["default_stay_minutes"]["restaurant"] = 75
    edition.save()
    zhang = world.one("1801")
    import_rows(
        world.incident,
        [
            {
                "venue_code": "R1",
                "document_number": zhang.document_number,
                "entered_at": "2022-03-09 12:00",
            },
            {
                "venue_code": "S1",
                "document_number": zhang.document_number,
                "entered_at": "2022-03-09 15:00",
            },
        ],
    )
    restaurant = CheckIn.objects.get(venue__code="R1")
    supermarket = CheckIn.objects.get(venue__code="S1")
    assert restaurant.left_at - restaurant.entered_at == dt.timedelta(minutes=75)
    assert supermarket.left_at - supermarket.entered_at == dt.timedelta(minutes=40)


def test_a_batch_resent_with_its_client_id_stores_nothing(world):
    VenueFactory(code="QY0003")
    zhang = world.one("1801")
    rows = [
        {
            "venue_code": "QY0003",
            "document_number": zhang.document_number,
            "entered_at": "2022-03-09 10:00",
        }
    ]
    assert import_rows(world.incident, rows, client_id="device-1:42").stored == 1
    again = import_rows(world.incident, rows + rows, client_id="device-1:42")
    assert (again.stored, again.duplicate) == (0, 1)
    assert CheckIn.objects.count() == 1


def test_xlsx_export_with_a_title_row(world):
    VenueFactory(code="QY0004")
    zhang = world.one("1801")
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["开化县场所码扫码记录导出"])
    sheet.append(["场所码", "身份证号", "进入时间"])
    sheet.append(["QY0004", zhang.document_number, dt.datetime(2022, 3, 9, 10, 0)])
    buf = io.BytesIO()
    book.save(buf)
    summary = import_file(world.incident, buf.getvalue(), "export.xlsx")
    assert (summary.rows, summary.stored) == (1, 1)
    assert CheckIn.objects.get().entered_at == local(9, 10)


def test_an_exit_never_scanned_is_cut_at_the_editions_longest_stay(world):
    VenueFactory(code="QY0005")
    zhang = world.one("1801")
    assert world.incident.policy_edition.rule("tracing", "max_stay_hours") == 24
    import_rows(
        world.incident,
        [
            {
                "venue_code": "QY0005",
                "document_number": zhang.document_number,
                "entered_at": "2022-03-09 10:00:00",
                "exited_at": "2022-03-11 10:00:00",
            }
        ],
    )
    stay = CheckIn.objects.get()
    assert stay.exited_at == local(11, 10)  # kept as scanned
    assert stay.left_at == local(10, 10)  # but the stay counts 24 hours
