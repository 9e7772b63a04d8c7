"""Web/API import jobs: upload → validated preview → confirm → done, via background tasks
(run inline in tests)."""

from pathlib import Path

import pytest
from django.core.files import File
from openpyxl import load_workbook

from tongxin.accounts.models import Role
from tongxin.audit.context import Actor, acting_as
from tongxin.audit.models import AuditAction, AuditEvent
from tongxin.factories import UnitFactory, UserFactory, assign, household
from tongxin.imports.models import ImportJob, ImportStatus
from tongxin.imports.services import (
    ImportFileError,
    confirm_import_job,
    start_import_job,
)
from tongxin.imports.services.jobs import open_errors_file
from tongxin.imports.tasks import run_import_job, validate_import_job
from tongxin.imports.tests.workbooks import resident, write_xlsx
from tongxin.people.models import Person
from tongxin.people.services import PermissionDenied

pytestmark = pytest.mark.django_db

ID, PHONE = "11010519491231002X", "13812345678"


@pytest.fixture
def leader(county):
    estate = household("阳光小区", "1", "101").parent.parent
    unit = UnitFactory()
    assign(unit, estate)
    return UserFactory(role=Role.UNIT_LEADER, unit=unit, username="leader")


def _upload(user, path: Path) -> ImportJob:
    with open(path, "rb") as stream, acting_as(Actor(user, "leader", "10.0.0.9", "web")):
        return start_import_job(user, File(stream), path.name)


def _file(tmp_path: Path) -> Path:
    rows = [resident(f"人{i}", room=f"{100 + i}") for i in range(25)]
    rows += [resident("张三", ID, phone=PHONE, room="301"), resident("", room="302")]
    rows.append(resident("外人", estate="明月小区"))
    return write_xlsx(tmp_path / "东门社区名单.xlsx", rows)


def test_upload_is_validated_with_a_masked_preview(leader, tmp_path: Path) -> None:
    job = _upload(leader, _file(tmp_path))

    assert job.status == ImportStatus.VALIDATED
    assert (job.progress_done, job.progress_total) == (28, 28)
    assert job.original_name == "东门社区名单.xlsx"
    assert "东门社区" not in job.file.name  # stored under a random name
    assert Person.objects.count() == 0  # a dry run
    preview = job.preview
    assert len(preview["rows"]) == 20
    assert preview["rows"][0]["行号"] == "2"
    assert preview["summary"]["created"] == 26
    assert preview["summary"]["rejected_reasons"] == {
        "missing_name": 1,
        "outside_jurisdiction": 1,
    }
    assert [p["row"] for p in preview["problems"]] == [28, 29]
    assert ID not in str(preview) and PHONE not in str(preview)
    assert job.errors_file  # downloadable before confirming


def test_confirm_runs_the_import(leader, tmp_path: Path) -> None:
    job = _upload(leader, _file(tmp_path))

    job = confirm_import_job(leader, job)

    assert job.status == ImportStatus.DONE
    assert job.summary["created"] == 26
    assert job.summary["rejected"] == 2
    assert Person.objects.count() == 26 + 0
    assert job.started_at and job.finished_at
    assert (job.progress_done, job.progress_total) == (28, 28)
    sheet = load_workbook(open_errors_file(job)).active
    assert [r[0] for r in sheet.iter_rows(min_row=2, values_only=True)] == [28, 29]
    event = AuditEvent.objects.get(action=AuditAction.IMPORT)
    assert (event.actor, event.channel, event.ip) == (leader, "web", "10.0.0.9")
    assert event.detail["source"] == "东门社区名单.xlsx"


def test_confirm_only_once_and_only_when_validated(leader, tmp_path: Path) -> None:
    job = _upload(leader, _file(tmp_path))
    confirm_import_job(leader, job)
    with pytest.raises(ImportFileError, match="待确认"):
        confirm_import_job(leader, job)
    run_import_job.enqueue(job.pk)  # a second delivery of the task does nothing
    assert Person.objects.count() == 26
    assert AuditEvent.objects.filter(action=AuditAction.IMPORT).count() == 1


def test_someone_else_cannot_confirm(leader, tmp_path: Path) -> None:
    job = _upload(leader, _file(tmp_path))
    stranger = UserFactory(role=Role.UNIT_LEADER, unit=UnitFactory())
    with pytest.raises(PermissionDenied):
        confirm_import_job(stranger, job)
    assert ImportJob.objects.get(pk=job.pk).status == ImportStatus.VALIDATED


def test_a_bad_file_fails_the_job_with_the_reason(leader, tmp_path: Path) -> None:
    path = tmp_path / "坏.xlsx"
    path.write_bytes(b"not a workbook")
    job = _upload(leader, path)
    assert job.status == ImportStatus.FAILED
    assert "无法读取" in job.failure
    with pytest.raises(ImportFileError):
        confirm_import_job(leader, job)


def test_other_file_types_and_roles_are_refused(leader, tmp_path: Path) -> None:
    path = tmp_path / "名单.pdf"
    path.write_bytes(b"%PDF")
    with pytest.raises(ImportFileError, match="xlsx"):
        _upload(leader, path)
    sampler = UserFactory(role=Role.TEST_POINT)
    with pytest.raises(PermissionDenied):
        _upload(sampler, _file(tmp_path))
    assert ImportJob.objects.count() == 0


def test_progress_is_reported_between_chunks(leader, tmp_path: Path, monkeypatch) -> None:
    from tongxin.imports.services import engine

    monkeypatch.setattr(engine, "CHUNK_ROWS", 10)
    seen: list[tuple[int, int]] = []
    original = ImportJob.objects.filter

    def spy(*args, **kwargs):
        qs = original(*args, **kwargs)
        update = qs.update

        def tracked(**values):
            if "progress_done" in values and "progress_total" in values:
                seen.append((values["progress_done"], values["progress_total"]))
            return update(**values)

        qs.update = tracked
        return qs

    monkeypatch.setattr(ImportJob.objects, "filter", spy)
    _upload(leader, _file(tmp_path))
    assert seen == [(0, 28), (10, 28), (20, 28), (28, 28)]


def test_tasks_ignore_jobs_in_the_wrong_state(leader, tmp_path: Path) -> None:
    job = _upload(leader, _file(tmp_path))
    validate_import_job.enqueue(job.pk)  # already validated: nothing happens
    run_import_job.enqueue(job.pk)  # not confirmed: nothing happens
    assert ImportJob.objects.get(pk=job.pk).status == ImportStatus.VALIDATED
    assert Person.objects.count() == 0
