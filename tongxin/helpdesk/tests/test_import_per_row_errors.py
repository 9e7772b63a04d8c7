"""Requests from a 12345 export or a unit's sheet come in in bulk; every row becomes a request,
is recognised as already imported, or is listed with its reason in Chinese — nothing lost."""

import csv
import datetime as dt
import io
from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.urls import reverse
from openpyxl import Workbook

from tongxin.audit.models import AuditEvent
from tongxin.helpdesk.models import HelpRequest, RequestImport
from tongxin.helpdesk.services.imports import import_requests, problems_csv
from tongxin.imports.readers import ImportFileError

from .conftest import Town

pytestmark = pytest.mark.django_db

HEADER = [
    "工单编号",
    "来电时间",
    "来电号码",
    "求助人",
    "小区",
    "楼幢",
    "单元",
    "房号",
    "诉求内容",
    "紧急程度",
]


def row(ref: str, time: Any, phone: str, name: str, text: str, **where: str) -> list[Any]:
    return [
        ref, time, phone, name, where.get("estate", ""), where.get("building", ""),
        where.get("stairwell", ""), where.get("room", ""), text, where.get("urgency", ""),
    ]  # fmt: skip


def rows() -> list[list[Any]]:
    return [
        row("12345-001", dt.datetime(2022, 3, 7, 9, 30), "13912345678", "王女士", "家里没菜了",
            estate="阳光小区", building="1", stairwell="1", room="102"),
        row("12345-002", "2022/3/7 10:05", "13912345679", "李先生", "透析病人需要接送"),
        row("12345-003", "2022-03-07 10:20", "1391234", "赵先生", "需要买药"),
        row("12345-004", "2022-03-07 10:30", "13912345680", "钱女士", ""),
        row("12345-005", "三月七号上午", "13912345681", "孙先生", "需要买菜"),
        row("12345-006", "2022-03-07 11:00", "0570-6012345", "周大爷", "一个人住，没人买菜",
            estate="幸福小区", building="2", room="201", urgency="紧急"),
        [None] * 10,  # a blank row is not data
    ]  # fmt: skip


def xlsx(data: list[list[Any]]) -> bytes:
    book = Workbook()
    sheet = book.active
    sheet.append(["12345热线转办工单导出"])  # a title row above the header
    sheet.append(HEADER)
    for row in data:
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def test_every_row_is_accounted_for(town: Town, desk) -> None:
    job = import_requests(xlsx(rows()), "12345导出.xlsx", channel="12345", source_label="12345热线",
                          user=desk)  # fmt: skip
    assert (job.rows, job.created, job.skipped, job.rejected) == (6, 3, 0, 3)
    assert job.rows == job.created + job.skipped + job.rejected

    problems = {p["row"]: p["message"] for p in job.problems}
    # Row numbers are the sheet's own (title row 1, header row 2).
    assert "联系电话“1391234”不正确" in problems[5]
    assert problems[6] == "缺少求助内容"
    assert "受理时间“三月七号上午”无法识别" in problems[7]

    first = HelpRequest.objects.get(external_ref="12345-001")
    assert first.place == town.h102 and first.channel == "12345"
    assert first.received_at == dt.datetime(2022, 3, 7, 1, 30, tzinfo=dt.UTC)
    assert first.number == "QZ20220307-0001"
    assert HelpRequest.objects.get(external_ref="12345-002").priority == "urgent"
    landline = HelpRequest.objects.get(external_ref="12345-006")
    assert landline.place == town.other_household and landline.priority == "urgent"
    assert not landline.phone_is_mobile


def test_importing_the_same_export_again_adds_nothing(town: Town) -> None:
    import_requests(xlsx(rows()), "a.xlsx")
    again = import_requests(xlsx(rows()), "a.xlsx")
    assert (again.created, again.skipped, again.rejected) == (0, 3, 3)
    assert HelpRequest.objects.count() == 3


def test_the_problems_list_masks_numbers(town: Town) -> None:
    data = rows()
    data[3][2] = "13912345682"  # row 6 (no content) carries a valid phone
    job = import_requests(xlsx(data), "a.xlsx")
    text = problems_csv(job)
    assert "13912345682" not in text and "139****5682" in text
    assert text.splitlines()[0].lstrip("\ufeff").startswith("行号,问题")


def test_a_csv_in_gbk_from_a_unit(town: Town) -> None:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["姓名", "联系电话", "地址", "需求", "类别"])
    writer.writerow(["陈阿婆", "13800138000", "阳光小区1幢1单元101", "降压药吃完了", "就医购药"])
    job = import_requests(out.getvalue().encode("gbk"), "民政局.csv", channel="unit",
                          source_label="县民政局")  # fmt: skip
    assert (job.created, job.rejected) == (1, 0)
    request = HelpRequest.objects.get()
    assert request.place == town.h101 and request.person == town.resident
    assert (request.category, request.source_label) == ("medicine", "县民政局")


def test_a_file_without_the_needed_columns_is_refused_whole() -> None:
    with pytest.raises(ImportFileError, match="联系电话"):
        import_requests("姓名,地址\n张三,某地\n".encode(), "x.csv")
    assert RequestImport.objects.count() == 0


def test_the_import_page_and_command(client: Any, desk, town: Town, tmp_path: Path) -> None:
    client.force_login(desk)
    upload = SimpleUploadedFile("12345.xlsx", xlsx(rows()))
    response = client.post(reverse("helpdesk:imports"), {"file": upload, "channel": "12345"})
    job = RequestImport.objects.get()
    assert response["Location"] == reverse("helpdesk:import", args=[job.pk])
    page = client.get(response["Location"]).content.decode()
    assert "第 6 行" in page and "缺少求助内容" in page and "1391234" in page
    csv_response = client.get(reverse("helpdesk:import_problems", args=[job.pk]))
    assert "缺少求助内容" in csv_response.content.decode("utf-8-sig")
    exported = AuditEvent.objects.get(action="export", actor=desk)
    assert exported.detail == {
        "filters": {"import": job.pk}, "rows": 3, "unmasked": False
    }  # fmt: skip

    path = tmp_path / "again.xlsx"
    path.write_bytes(xlsx(rows()))
    out = io.StringIO()
    call_command("helpdesk", "import", str(path), "--no-sms", stdout=out)
    assert "新建 0，已导入过 3，未导入 3" in out.getvalue()
