"""Finding 5: every request does bounded work and fails with a clear message; a job that
dies ends as failed with its reason."""

import io
import zipfile
from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile
from openpyxl import Workbook

from tongxin.accounts.models import Role
from tongxin.imports.models import ImportJob, ImportStatus
from tongxin.security.tests.conftest import County, client_for
from tongxin.security.tests.test_uploads_are_sealed_and_purged import HEADER, residents_csv


def test_a_statistics_window_is_bounded(county: County) -> None:
    helpdesk = client_for(county.users[Role.HELPDESK])
    huge = helpdesk.get(
        "/api/v1/helpdesk/stats",
        {"start": "0001-01-01T00:00:00", "end": "9999-12-31T00:00:00"},
    )
    assert huge.status_code == 422
    assert "最长" in huge.json()["detail"]
    fine = helpdesk.get(
        "/api/v1/helpdesk/stats", {"start": "2022-03-04T00:00:00", "end": "2022-03-07T00:00:00"}
    )
    assert fine.status_code == 200
    page = helpdesk.get("/helpdesk/stats/", {"start": "2000-01-01", "end": "2022-03-07"})
    assert page.status_code == 200 and "最长" in page.content.decode()


def bomb_xlsx(cell_chars: int) -> bytes:
    book = Workbook()
    sheet = book.active
    sheet.append(HEADER.split(","))
    sheet.append(["王五", "居民身份证", "x" * cell_chars])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def upload(county: County, name: str, content: bytes) -> ImportJob:
    leader = client_for(county.users[Role.UNIT_LEADER])
    response = leader.post("/api/v1/imports/", {"file": SimpleUploadedFile(name, content)})
    assert response.status_code in (201, 400, 413, 422), response.content
    job = ImportJob.objects.order_by("-pk").first()
    assert job is not None
    return job


def zip_bomb(inflated: int) -> bytes:
    """A valid workbook whose cell text inflates far beyond the file's size."""
    out = io.BytesIO()
    with (
        zipfile.ZipFile(io.BytesIO(bomb_xlsx(10))) as source,
        zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target,
    ):
        for info in source.infolist():
            data = source.read(info.filename)
            if info.filename.startswith("xl/worksheets/"):
                data = data.replace(b"xxxxxxxxxx", b"x" * inflated)
            target.writestr(info.filename, data)
    return out.getvalue()


def test_a_zip_bomb_is_refused_before_it_is_inflated(county: County, settings: Any) -> None:
    settings.TONGXIN_UPLOAD_MAX_UNCOMPRESSED_BYTES = 1024 * 1024
    content = zip_bomb(3 * 1024 * 1024)
    assert len(content) < 100 * 1024  # small on the wire, 3 MB inside
    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        assert sum(i.file_size for i in archive.infolist()) > 3 * 1024 * 1024
    job = upload(county, "炸弹.xlsx", content)
    assert job.status == ImportStatus.FAILED
    assert "解压后过大" in job.failure


def test_too_many_rows_fail_with_a_message(county: County, settings: Any) -> None:
    settings.TONGXIN_IMPORT_MAX_ROWS = 1
    job = upload(county, "住户.csv", residents_csv().read())
    assert job.status == ImportStatus.FAILED
    assert "1 行" in job.failure


def test_an_overlong_cell_fails_with_a_message(county: County, settings: Any) -> None:
    settings.TONGXIN_IMPORT_MAX_CELL_CHARS = 100
    job = upload(county, "长.xlsx", bomb_xlsx(500))
    assert job.status == ImportStatus.FAILED
    assert "证件号码" in job.failure and "100 个字符" in job.failure


def test_a_file_over_the_size_limit_is_refused(county: County, settings: Any) -> None:
    settings.TONGXIN_UPLOAD_MAX_BYTES = 100
    leader = client_for(county.users[Role.UNIT_LEADER])
    response = leader.post("/api/v1/imports/", {"file": residents_csv()})
    assert response.status_code == 400
    assert "文件过大" in response.json()["detail"]
    assert not ImportJob.objects.exists()


def test_a_request_body_over_the_limit_is_413(county: County, settings: Any) -> None:
    settings.TONGXIN_MAX_REQUEST_BYTES = 1024
    leader = client_for(county.users[Role.UNIT_LEADER])
    big = SimpleUploadedFile("big.csv", b"x" * 4096)
    assert leader.post("/api/v1/imports/", {"file": big}).status_code == 413


def test_a_job_whose_worker_crashes_ends_failed_with_its_reason(
    county: County, monkeypatch: Any
) -> None:
    from tongxin.imports.services import jobs

    def explode(*args: Any, **kwargs: Any) -> Any:
        raise MemoryError

    monkeypatch.setattr(jobs, "import_residents", explode)
    leader = client_for(county.users[Role.UNIT_LEADER])
    leader.raise_request_exception = False
    leader.post("/api/v1/imports/", {"file": residents_csv()})
    job = ImportJob.objects.get()
    assert job.status == ImportStatus.FAILED and job.failure
