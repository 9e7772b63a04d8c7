"""Import jobs (upload, status, confirm, errors file) and resident exports."""

import tempfile
from typing import Any, Literal

from django.http import FileResponse, Http404, HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Field, File, Query, Router, Schema, Status
from ninja.errors import HttpError
from ninja.files import UploadedFile

from tongxin.accounts.permissions import Perm, has_perm
from tongxin.api.places import get_visible_place
from tongxin.api.schemas import ImportJobOut
from tongxin.audit.services import record_export
from tongxin.imports.models import ImportJob
from tongxin.people.services import PermissionDenied

router = Router(tags=["imports"])
exports_router = Router(tags=["exports"])

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
CONTENT_TYPES = {"xlsx": XLSX, "csv": "text/csv; charset=utf-8"}


def _services() -> Any:
    # Imported on first use: the import engine (openpyxl and all) need not load with the API.
    from tongxin.imports import services

    return services


def get_visible_job(user: Any, pk: int) -> ImportJob:
    job = ImportJob.objects.visible_to(user).select_related("created_by").filter(pk=pk).first()
    if job is None:
        raise Http404(_("未找到该导入任务"))
    return job


ImportKind = Literal["residents", "places", "units", "staff"]


@router.post(
    "/",
    response={201: ImportJobOut},
    summary="Upload a residents (or places, units, staff) file (.xlsx or .csv); it is "
    "validated in the background",
)
def upload(
    request: HttpRequest, file: File[UploadedFile], kind: ImportKind = "residents"
) -> Status:
    from tongxin.imports.models import import_kinds_for

    if kind not in import_kinds_for(request.user):
        raise PermissionDenied(_("您没有导入此类数据的权限"))
    imports = _services()
    try:
        job = imports.start_import_job(request.user, file, file.name or "upload", kind)
    except imports.ImportFileError as exc:
        raise HttpError(400, str(exc)) from exc
    return Status(201, get_visible_job(request.user, job.pk))


@router.get("/{job_id}", response=ImportJobOut, summary="Status, progress, preview and summary")
def job_status(request: HttpRequest, job_id: int) -> ImportJob:
    return get_visible_job(request.user, job_id)


@router.post(
    "/{job_id}/confirm",
    response=ImportJobOut,
    summary="Run a validated import for real (in the background)",
)
def confirm(request: HttpRequest, job_id: int) -> ImportJob:
    job = get_visible_job(request.user, job_id)
    imports = _services()
    try:
        imports.confirm_import_job(request.user, job)
    except imports.ImportFileError as exc:
        raise HttpError(409, str(exc)) from exc
    return get_visible_job(request.user, job_id)


def _problem_rows(handle: Any) -> int:
    from openpyxl import load_workbook

    workbook = load_workbook(handle, read_only=True)
    try:
        return sum(1 for _row in workbook.worksheets[0].iter_rows(min_row=2, values_only=True))
    finally:
        workbook.close()
        handle.seek(0)


@router.get("/{job_id}/errors", summary="The rejected and warned rows as .xlsx (audited)")
def errors_file(request: HttpRequest, job_id: int) -> FileResponse:
    job = get_visible_job(request.user, job_id)
    if not job.errors_file:
        raise Http404(_("该导入任务没有问题清单"))
    try:
        handle = _services().open_errors_file(job)
    except FileNotFoundError as exc:
        raise Http404(_("该导入任务没有问题清单")) from exc
    # The problems file repeats the rows as uploaded, ID numbers and phones unmasked, so
    # downloading it is an export like any other.
    record_export(
        "imports.importjob",
        {"job_id": job.pk, "file": "problems"},
        _problem_rows(handle),
        unmasked=True,
    )
    return FileResponse(
        handle,
        as_attachment=True,
        filename=f"import-{job.pk}-problems.xlsx",
        content_type=XLSX,
    )


class ExportQuery(Schema):
    area: int | None = None
    format: Literal["xlsx", "csv"] = "xlsx"
    unmask: bool = False
    # Required with unmask=true: why the file is needed in clear (kept in the audit trail).
    reason: str = Field("", max_length=200)


@exports_router.get(
    "/residents",
    summary="Download residents as .xlsx or .csv (masked unless ?unmask=true is permitted)",
)
def export_residents(request: HttpRequest, query: Query[ExportQuery]) -> FileResponse:
    user = request.user
    if not has_perm(user, Perm.EXPORT_RESIDENTS):
        raise PermissionDenied(_("您没有导出居民数据的权限"))
    area = get_visible_place(user, query.area) if query.area is not None else None
    # Spills to disk past a few MB: a county-wide export is tens of thousands of rows.
    out = tempfile.SpooledTemporaryFile(max_size=8 * 1024 * 1024)  # noqa: SIM115 (FileResponse closes it)
    try:
        _services().export_residents(
            out,
            fmt=query.format,
            user=user,
            area=area,
            unmask=query.unmask,
            reason=query.reason,
        )
    except Exception:
        out.close()
        raise
    out.seek(0)
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
    return FileResponse(
        out,
        as_attachment=True,
        filename=f"residents-{stamp}.{query.format}",
        content_type=CONTENT_TYPES[query.format],
    )
