"""Finding 3: uploads and problems files are encrypted at rest, owner-only, deleted when the
job is done, and leftovers are purged on a schedule."""

import datetime as dt
import os
import stat
from pathlib import Path

from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.utils import timezone

from tongxin.accounts.models import Role
from tongxin.factories import make_id_number, make_mobile
from tongxin.imports.models import ImportJob, ImportStatus
from tongxin.security.tests.conftest import County, client_for

NEW_ID, NEW_PHONE = make_id_number(birth="19750203"), make_mobile()
BAD_ID = "330824199001011239"
HEADER = "姓名,证件类型,证件号码,手机号,乡镇街道,社区,小区,楼幢,单元,房号,居住状态"


def residents_csv() -> SimpleUploadedFile:
    lines = [
        HEADER,
        f"王五,居民身份证,{NEW_ID},{NEW_PHONE},芹阳办事处,东门社区,阳光小区,3幢,,302,常住",
        f"赵六,居民身份证,{BAD_ID},13800000000,芹阳办事处,东门社区,阳光小区,3幢,,303,常住",
    ]
    return SimpleUploadedFile("住户.csv", "\n".join(lines).encode("utf-8"), "text/csv")


def files_under(folder: Path) -> list[Path]:
    return [p for p in folder.rglob("*") if p.is_file()] if folder.exists() else []


def test_an_upload_is_encrypted_owner_only_and_gone_when_the_job_is_done(county: County) -> None:
    leader = client_for(county.users[Role.UNIT_LEADER])
    job_id = leader.post("/api/v1/imports/", {"file": residents_csv()}).json()["id"]
    job = ImportJob.objects.get(pk=job_id)
    assert job.status == ImportStatus.VALIDATED
    stored = [Path(job.file.path), Path(job.errors_file.path)]
    for path in stored:
        content = path.read_bytes()
        assert NEW_ID.encode() not in content and NEW_PHONE.encode() not in content
        assert "王五".encode() not in content and BAD_ID.encode() not in content
        assert stat.S_IMODE(path.stat().st_mode) == 0o600
        assert stat.S_IMODE(path.parent.stat().st_mode) == 0o700
    # The problems file still downloads, in clear, for the uploader (an audited export).
    assert leader.get(f"/api/v1/imports/{job_id}/errors").status_code == 200
    assert leader.post(f"/api/v1/imports/{job_id}/confirm").status_code == 200
    job.refresh_from_db()
    assert job.status == ImportStatus.DONE
    assert not job.file and not stored[0].exists()


def test_a_failed_job_keeps_no_upload(county: County) -> None:
    leader = client_for(county.users[Role.UNIT_LEADER])
    junk = SimpleUploadedFile("x.csv", b"a,b\n1,2\n", "text/csv")
    job = ImportJob.objects.get(pk=leader.post("/api/v1/imports/", {"file": junk}).json()["id"])
    assert job.status == ImportStatus.FAILED
    assert files_under(Path(settings.MEDIA_ROOT) / "imports") == []


def test_the_purge_removes_leftovers_and_ends_stuck_jobs(county: County) -> None:
    leader = client_for(county.users[Role.UNIT_LEADER])
    abandoned = leader.post("/api/v1/imports/", {"file": residents_csv()}).json()["id"]
    stuck = leader.post("/api/v1/imports/", {"file": residents_csv()}).json()["id"]
    ImportJob.objects.filter(pk=stuck).update(status=ImportStatus.VALIDATING)
    long_ago = timezone.now() - dt.timedelta(days=2)
    ImportJob.objects.update(created_at=long_ago)
    folder = Path(settings.MEDIA_ROOT) / "imports" / "crash"
    folder.mkdir(parents=True)
    orphan = folder / "left-by-a-crash.xlsx"
    orphan.write_bytes(b"rows")
    os.utime(orphan, (long_ago.timestamp(), long_ago.timestamp()))

    call_command("security", "purge")

    assert files_under(Path(settings.MEDIA_ROOT) / "imports") == []
    for pk in (abandoned, stuck):
        job = ImportJob.objects.get(pk=pk)
        assert job.status == ImportStatus.FAILED and job.failure, job.failure
    assert "中断" in ImportJob.objects.get(pk=stuck).failure


def test_uploaded_files_are_created_owner_only_by_default() -> None:
    assert settings.FILE_UPLOAD_PERMISSIONS == 0o600
    assert settings.FILE_UPLOAD_DIRECTORY_PERMISSIONS == 0o700
