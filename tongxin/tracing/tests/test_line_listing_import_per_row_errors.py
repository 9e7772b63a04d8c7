import io

import openpyxl

from tongxin.factories import make_id_number
from tongxin.tracing.models import Case, Classification, OutsidePerson, Venue, VenueKind
from tongxin.tracing.services.listing import import_line_listing, import_venues


def _xlsx(rows):
    book = openpyxl.Workbook()
    for r in rows:
        book.active.append(r)
    buf = io.BytesIO()
    book.save(buf)
    return buf.getvalue()


def test_cases_from_a_line_listing_with_per_row_errors(world):
    zhang, wang = world.one("1801"), world.one("1802")
    visitor = make_id_number(region="330802")
    data = _xlsx(
        [
            ["病例一览表"],
            ["姓名", "身份证号", "分类", "发病日期", "报告时间", "发现途径", "来源病例"],
            [
                "张三",
                zhang.document_number,
                "普通型",
                "2022-03-10",
                "2022-03-11 09:00",
                "社区筛查",
                "",
            ],
            ["访客", visitor, "无症状感染者", "", "2022-03-11 10:00", "外地协查", "病例1"],
            ["王五", wang.document_number, "超级型", "", "2022-03-11 10:00", "社区筛查", ""],
            ["坏号", "330824199001011234", "轻型", "", "2022-03-11 10:00", "社区筛查", ""],
            ["王五", wang.document_number, "轻型", "", "2022-03-11 10:00", "社区筛查", "病例9"],
        ]
    )
    summary = import_line_listing(world.incident, data, "一览表.xlsx")
    assert (summary.rows, summary.added, summary.rejected) == (5, 2, 3)
    assert [e["row"] for e in summary.errors] == [5, 6, 7]
    assert "分类" in summary.errors[0]["message"] and "来源" in summary.errors[2]["message"]
    first = Case.objects.get(number=1)
    assert first.person == zhang and first.classification == Classification.MODERATE
    second = Case.objects.get(number=2)
    assert second.outside_person == OutsidePerson.objects.get() and second.source_case == first
    again = import_line_listing(world.incident, data, "一览表.xlsx")
    assert (again.added, again.existing) == (0, 2)


def test_venues_from_a_spreadsheet(world):
    data = _xlsx(
        [
            ["场所码", "场所名称", "类型", "地址"],
            ["QY1", "城关菜场", "农贸市场", "城关路"],
            ["", "无码", "", ""],
        ]
    )
    summary = import_venues(data, "v.xlsx")
    assert (summary.added, summary.rejected) == (1, 1)
    assert Venue.objects.get(code="QY1").kind == VenueKind.MARKET
