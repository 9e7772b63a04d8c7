"""Import jobs: an upload is validated in the background (a dry run), shown, confirmed, run.

The work happens in tasks (tongxin.imports.tasks), which call `validate_job` and `run_job`.
Progress is written with single-row UPDATEs between the import's chunk transactions, so the
page polling it from another connection sees it move.
"""

import datetime as dt
import io
import logging
import tempfile
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from django.core.files import File
from django.core.files.base import ContentFile
from django.db.models import Q
from django.db.models.fields.files import FieldFile
from django.utils import timezone
from django.utils.translation import gettext as _

from tongxin.audit.context import Actor, acting_as, current_actor
from tongxin.core import crypto, uploads
from tongxin.imports.models import ImportJob, ImportStatus, import_kinds_for
from tongxin.imports.readers import ImportFileError
from tongxin.imports.services.engine import ImportResult, import_residents
from tongxin.imports.services.problems import write_problems_xlsx
from tongxin.imports.services.setup import import_setup
from tongxin.people.services import PermissionDenied

logger = logging.getLogger(__name__)

ACCEPTED_SUFFIXES = (".xlsx", ".csv")


def start_import_job(
    user: Any, uploaded: File, original_name: str, kind: str = "residents"
) -> ImportJob:
    """Save the upload, create the job and queue its validation (a dry run)."""
    from tongxin.imports.tasks import validate_import_job

    if kind not in import_kinds_for(user):
        raise PermissionDenied(_("您没有导入此类数据的权限"))
    suffix = Path(original_name).suffix.lower()
    if suffix not in ACCEPTED_SUFFIXES:
        raise ImportFileError(
            _("不支持的文件类型“%(suffix)s”，请上传 .xlsx 或 .csv 文件") % {"suffix": suffix or "?"}
        )
    try:
        uploads.check_size(uploaded.size)
    except uploads.UploadRejected as exc:
        raise ImportFileError(str(exc)) from exc
    actor = current_actor()
    job = ImportJob(
        kind=kind,
        created_by=user,
        original_name=Path(original_name).name[:255],
        status=ImportStatus.UPLOADED,
        channel=actor.channel if actor.channel in {"web", "api", "cli"} else "web",
        client_ip=actor.ip,
    )
    # Stored under a random name (the original name can carry personal data), encrypted, owner
    # only, and deleted as soon as the job is done or failed.
    job.file.save(f"{uuid.uuid4().hex}{suffix}", sealed(uploaded.read()), save=False)
    job.save()
    validate_import_job.enqueue(job.pk)
    job.refresh_from_db()
    return job


def confirm_import_job(user: Any, job: ImportJob) -> ImportJob:
    """Queue the real run of a validated job. Only one confirmation wins."""
    from tongxin.imports.tasks import run_import_job

    if not ImportJob.objects.visible_to(user).filter(pk=job.pk).exists():
        raise PermissionDenied(_("您无权确认此导入任务"))
    claimed = ImportJob.objects.filter(pk=job.pk, status=ImportStatus.VALIDATED).update(
        status=ImportStatus.RUNNING, progress_done=0
    )
    if not claimed:
        job.refresh_from_db()
        raise ImportFileError(
            _("只有校验完成、等待确认的导入任务才能确认导入（当前状态：%(status)s）")
            % {"status": job.get_status_display()}
        )
    run_import_job.enqueue(job.pk)
    job.refresh_from_db()
    return job


def sealed(data: bytes) -> ContentFile:
    """A file's content as stored: encrypted with the field keys."""
    return ContentFile(crypto.encrypt_bytes(data))


def unsealed(stored: FieldFile) -> bytes:
    with stored.open("rb") as handle:
        return crypto.decrypt_bytes(handle.read())


def open_errors_file(job: ImportJob) -> io.BytesIO:
    """The problems file in clear, in memory (it is stored encrypted)."""
    return io.BytesIO(unsealed(job.errors_file))


def discard_files(job: ImportJob, *, errors_too: bool = False) -> None:
    """Delete a job's stored upload (and its problems file) from disk."""
    fields = [job.file] + ([job.errors_file] if errors_too else [])
    for stored in fields:
        if stored:
            stored.delete(save=False)
    ImportJob.objects.filter(pk=job.pk).update(
        file=job.file.name or "", errors_file=job.errors_file.name or ""
    )


@contextmanager
def _local_file(job: ImportJob) -> Iterator[Path]:
    """The upload decrypted into an owner-only temporary file, removed right after use."""
    suffix = Path(job.file.name).suffix
    with tempfile.NamedTemporaryFile(suffix=suffix) as copy:
        copy.write(unsealed(job.file))
        copy.flush()
        yield Path(copy.name)


def _actor(job: ImportJob) -> Actor:
    user = job.created_by
    return Actor(
        user=user,
        label=user.get_username() if user else "system",
        ip=job.client_ip,
        channel=job.channel,
    )


def _progress(job_id: int) -> Any:
    def report(done: int, total: int) -> None:
        ImportJob.objects.filter(pk=job_id).update(progress_done=done, progress_total=total)

    return report


def _errors_file(job: ImportJob, result: ImportResult) -> None:
    if not result.problems:
        job.errors_file = ""
        return
    buffer = io.BytesIO()
    write_problems_xlsx(result, buffer)
    job.errors_file.save(f"{uuid.uuid4().hex}.xlsx", sealed(buffer.getvalue()), save=False)


def _execute(job: ImportJob, *, dry_run: bool) -> ImportResult | None:
    """Run the engine for a job; on a file or permission problem, mark the job failed."""
    user = job.created_by
    try:
        if user is None or not user.is_active:
            raise ImportFileError(_("上传人的账号已不存在或已停用，无法导入"))
        if job.kind not in import_kinds_for(user):
            raise PermissionDenied(_("您没有导入此类数据的权限"))
        with _local_file(job) as path, acting_as(_actor(job)):
            if job.kind != "residents":
                # Staff accounts get their links by SMS; without a site address they stay
                # pending, and the staff page prints their links for the unit leader.
                return import_setup(
                    job.kind, path, user=user, dry_run=dry_run, source_name=job.original_name
                )
            return import_residents(
                path,
                user=user,
                dry_run=dry_run,
                progress=_progress(job.pk),
                source_name=job.original_name,
            )
    except (ImportFileError, PermissionDenied) as exc:
        _fail(job, str(exc))
        return None
    except Exception:
        logger.exception("import job %s failed", job.pk)
        _fail(job, _("导入时发生内部错误，请联系系统管理员"))
        raise


def _fail(job: ImportJob, message: str) -> None:
    ImportJob.objects.filter(pk=job.pk).update(
        status=ImportStatus.FAILED, failure=message, finished_at=timezone.now()
    )
    discard_files(job)


def fail_stale_jobs(now: Any = None) -> int:
    """Jobs still validating or running long after they started (a worker that died, a
    machine restarted) end as failed with the reason, never stuck. Returns how many."""
    from django.conf import settings

    now = now or timezone.now()
    minutes = int(getattr(settings, "TONGXIN_IMPORT_STALE_MINUTES", 60))
    cutoff = now - dt.timedelta(minutes=minutes)
    stale = ImportJob.objects.filter(
        status__in=[ImportStatus.VALIDATING, ImportStatus.RUNNING, ImportStatus.UPLOADED],
        created_at__lt=cutoff,
    ).filter(Q(started_at__isnull=True) | Q(started_at__lt=cutoff))
    count = 0
    for job in stale:
        _fail(
            job,
            _("后台处理在 %(m)d 分钟内没有完成（进程中断或超时），请重新上传。") % {"m": minutes},
        )
        count += 1
    return count


def validate_job(job_id: int) -> None:
    """The dry run behind the preview: uploaded → validating → validated (or failed)."""
    claimed = ImportJob.objects.filter(
        pk=job_id, status__in=[ImportStatus.UPLOADED, ImportStatus.VALIDATING]
    ).update(status=ImportStatus.VALIDATING)
    if not claimed:
        return
    job = ImportJob.objects.select_related("created_by").get(pk=job_id)
    result = _execute(job, dry_run=True)
    if result is None:
        return
    job.refresh_from_db(fields=["progress_done", "progress_total"])
    job.preview = {
        "rows": result.preview_rows,
        "problems": [p.as_dict() for p in result.problems],
        "summary": result.as_dict(),
    }
    _errors_file(job, result)
    job.status = ImportStatus.VALIDATED
    job.save(update_fields=["preview", "errors_file", "status"])


def run_job(job_id: int) -> None:
    """The confirmed run: running → done (or failed)."""
    claimed = ImportJob.objects.filter(
        pk=job_id, status=ImportStatus.RUNNING, started_at__isnull=True
    ).update(started_at=timezone.now())
    if not claimed:
        return  # not confirmed, or already run by an earlier delivery of this task
    job = ImportJob.objects.select_related("created_by").get(pk=job_id)
    result = _execute(job, dry_run=False)
    if result is None:
        return
    job.summary = result.as_dict()
    _errors_file(job, result)
    job.status = ImportStatus.DONE
    job.finished_at = timezone.now()
    job.save(update_fields=["summary", "errors_file", "status", "finished_at"])
    # The upload has served its purpose: it does not stay on disk.
    discard_files(job)
