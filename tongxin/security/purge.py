"""Leftovers purged on a schedule (`tongxin security purge`, e.g. every hour from cron).

- import jobs stuck validating or running (a worker that died) end as failed, with the reason;
- a validated upload nobody confirmed within TONGXIN_UPLOAD_RETENTION_HOURS is deleted and
  its job ends as failed; problems files of finished jobs go after the same time;
- any other file under media/imports/ older than that (left by a crash) is deleted, and what
  remains is made owner-only;
- login failures older than the throttle's window are dropped.
"""

import datetime as dt
import os
from dataclasses import dataclass, field
from pathlib import Path

from django.conf import settings
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from tongxin.imports.models import ImportJob, ImportStatus
from tongxin.imports.services import jobs
from tongxin.security import conf, throttle

IMPORT_FOLDER = "imports"


@dataclass
class PurgeResult:
    stale_jobs: int = 0
    abandoned_uploads: int = 0
    problems_files: int = 0
    orphan_files: int = 0
    login_failures: int = 0
    details: list[str] = field(default_factory=list)

    def as_dict(self) -> dict[str, int]:
        return {k: v for k, v in self.__dict__.items() if isinstance(v, int)}


def purge(now: dt.datetime | None = None) -> PurgeResult:
    now = now or timezone.now()
    cutoff = now - dt.timedelta(hours=int(conf.get("TONGXIN_UPLOAD_RETENTION_HOURS")))
    result = PurgeResult()
    result.stale_jobs = jobs.fail_stale_jobs(now)
    for job in ImportJob.objects.filter(status=ImportStatus.VALIDATED, created_at__lt=cutoff):
        jobs._fail(job, _("预览后超过保留时限未确认导入，上传的文件已删除，请重新上传。"))
        result.abandoned_uploads += 1
    finished = ImportJob.objects.filter(
        Q(status__in=[ImportStatus.DONE, ImportStatus.FAILED]),
        Q(finished_at__lt=cutoff) | Q(created_at__lt=cutoff),
    ).exclude(file="", errors_file="")
    for job in finished:
        had_problems = bool(job.errors_file)
        jobs.discard_files(job, errors_too=True)
        result.problems_files += int(had_problems)
    result.orphan_files = _orphans(cutoff)
    result.login_failures = throttle.prune(now)
    return result


def _referenced() -> set[str]:
    names: set[str] = set()
    for file, errors in ImportJob.objects.values_list("file", "errors_file"):
        names.update(n for n in (file, errors) if n)
    return names


def _orphans(cutoff: dt.datetime) -> int:
    root = Path(settings.MEDIA_ROOT)
    folder = root / IMPORT_FOLDER
    if not folder.is_dir():
        return 0
    referenced = _referenced()
    removed = 0
    for path in folder.rglob("*"):
        if not path.is_file():
            if path.is_dir():
                os.chmod(path, 0o700)
            continue
        name = path.relative_to(root).as_posix()
        modified = dt.datetime.fromtimestamp(path.stat().st_mtime, tz=dt.UTC)
        if name not in referenced and modified < cutoff:
            path.unlink()
            removed += 1
        else:
            os.chmod(path, 0o600)
    return removed


def describe(result: PurgeResult) -> str:
    return (
        _(
            "中断的导入任务 %(stale_jobs)d 个；未确认的上传 %(abandoned_uploads)d 个；"
            "问题清单 %(problems_files)d 个；遗留文件 %(orphan_files)d 个；"
            "过期登录失败记录 %(login_failures)d 条。"
        )
        % result.as_dict()
    )
