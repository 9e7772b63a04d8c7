"""The import through the pages: upload → preview with every problem → confirm → done."""

import io

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from tongxin.audit.models import AuditAction, AuditEvent
from tongxin.factories import make_id_number, make_mobile
from tongxin.imports.models import ImportJob, ImportStatus
from tongxin.people.models import Person

HEADER = [
    "姓名",
    "证件号码",
    "手机号",
    "乡镇街道",
    "社区",
    "小区",
    "楼幢",
    "单元",
    "房号",
    "备用列",
]
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@pytest.fixture
def workbook():
    """Three good rows, one without a name, one with a bad ID number, one with a bad phone."""
    good = [make_id_number() for _ in range(4)]
    rows = [
        ["吴一", good[0], make_mobile(), "芹阳办事处", "东门社区", "阳光小区", "5", "", "501", "x"],
        ["吴二", good[1], make_mobile(), "芹阳办事处", "东门社区", "阳光小区", "5", "", "501", ""],
        ["吴三", good[2], "", "芹阳办事处", "东门社区", "阳光小区", "5幢", "", "502", ""],
        ["", make_id_number(), "", "芹阳办事处", "东门社区", "阳光小区", "5", "", "503", ""],
        [
            "吴五",
            "330824199901011230",
            "",
            "芹阳办事处",
            "东门社区",
            "阳光小区",
            "5",
            "",
            "503",
            "",
        ],
        ["吴六", good[3], "12345", "芹阳办事处", "东门社区", "阳光小区", "5", "", "504", ""],
    ]
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(HEADER)
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return {"content": buffer.getvalue(), "rows": rows}


def _upload(client, name, content, content_type=XLSX):
    return client.post(
        reverse("imports"), {"file": SimpleUploadedFile(name, content, content_type=content_type)}
    )


def test_upload_preview_confirm_done(login, world, workbook):
    client = login("command")
    before = Person.objects.count()
    assert "上传并校验" in client.get(reverse("imports")).content.decode()

    response = _upload(client, "阳光小区5幢.xlsx", workbook["content"])
    assert response.status_code == 302
    job = ImportJob.objects.get()
    assert response["Location"] == reverse("import_job", args=[job.pk])
    assert job.status == ImportStatus.VALIDATED  # tasks run inline in tests
    assert Person.objects.count() == before  # the dry run wrote nothing

    preview = client.get(response["Location"]).content.decode()
    assert "确认导入" in preview
    assert "问题行（3）" in preview
    for row_number in (5, 6, 7):  # header is row 1
        assert f"第 {row_number} 行" in preview
    assert "缺少姓名" in preview
    assert "备用列" in preview  # the ignored column is named
    assert "吴一" in preview  # the first rows are previewed
    for row in workbook["rows"]:
        assert row[1] not in preview  # ID numbers only masked
        if row[2]:
            assert row[2] not in preview

    response = client.post(reverse("import_confirm", args=[job.pk]))
    assert response.status_code == 302
    job.refresh_from_db()
    assert job.status == ImportStatus.DONE
    assert Person.objects.count() == before + 4
    done = client.get(reverse("import_job", args=[job.pk])).content.decode()
    assert "导入完成" in done
    assert reverse("import_errors", args=[job.pk]) in done

    errors = client.get(reverse("import_errors", args=[job.pk]))
    assert errors.status_code == 200
    assert "attachment" in errors["Content-Disposition"]
    sheet = openpyxl.load_workbook(io.BytesIO(b"".join(errors.streaming_content))).active
    assert sheet.max_row >= 4  # a header and the three problem rows
    assert AuditEvent.objects.filter(
        action=AuditAction.EXPORT, target_type="imports.importjob", target_id=str(job.pk)
    ).exists()

    # Confirming twice does not import twice.
    client.post(reverse("import_confirm", args=[job.pk]), follow=True)
    assert Person.objects.count() == before + 4


def test_job_page_polls_while_running_and_stops_when_done(login, world):
    job = ImportJob.objects.create(
        original_name="a.xlsx",
        created_by=world.users["command"],
        status=ImportStatus.RUNNING,
        progress_done=250,
        progress_total=1000,
    )
    client = login("command")
    url = reverse("import_job", args=[job.pk])
    headers = {"HX-Request": "true", "HX-Target": "job-status"}
    running = client.get(url, headers=headers).content.decode()
    assert running.startswith('<div id="job-status"')
    assert 'hx-trigger="every 1s"' in running
    assert '<progress max="100" value="25">' in running
    assert "250 / 1000" in running
    job.status = ImportStatus.DONE
    job.summary = {"rows": 1000, "created": 1000}
    job.save()
    done = client.get(url, headers=headers).content.decode()
    assert "hx-trigger" not in done and "导入完成" in done


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("名单.txt", b"a,b", "只能上传 .xlsx 或 .csv 文件"),
        ("名单.xls", b"\xd0\xcf\x11\xe0", "不支持旧版 .xls 格式"),
        ("名单.csv", b"", "上传的文件是空的"),
        ("名单.xlsx", b"this is not a workbook", "不是有效的 .xlsx 文件"),
    ],
)
def test_bad_uploads_are_refused_in_chinese_and_change_nothing(
    login, world, name, content, message
):
    before = Person.objects.count()
    response = _upload(login("command"), name, content, "application/octet-stream")
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not ImportJob.objects.exists()
    assert Person.objects.count() == before


def test_missing_file_is_refused(login, world):
    response = login("command").post(reverse("imports"), {})
    assert response.status_code == 400
    assert "请选择要上传的文件" in response.content.decode()


def test_unreadable_csv_fails_with_a_chinese_reason_and_imports_nothing(login, world):
    before = Person.objects.count()
    client = login("command")
    response = _upload(client, "乱码.csv", "随便,什么\n1,2\n".encode(), "text/csv")
    job = ImportJob.objects.get()
    assert job.status == ImportStatus.FAILED
    page = client.get(response["Location"]).content.decode()
    assert "导入失败" in page and job.failure in page
    assert Person.objects.count() == before


@pytest.mark.parametrize("role", ["investigator", "test_point", "lab"])
def test_roles_without_import_permission_are_refused(login, world, role):
    client = login(role)
    assert client.get(reverse("imports")).status_code == 403
    assert _upload(client, "a.csv", b"x").status_code == 403


def test_the_system_administrator_imports_setup_files_but_not_residents(login, world):
    """The sysadmin sets up places, units and staff, and never handles residents' data."""
    client = login("sysadmin")
    page = client.get(reverse("imports")).content.decode()
    assert 'value="staff"' in page and 'value="residents"' not in page
    refused = client.post(
        reverse("imports"),
        {"kind": "residents", "file": SimpleUploadedFile("a.csv", b"x")},
    )
    assert refused.status_code == 400
    assert not ImportJob.objects.exists()
