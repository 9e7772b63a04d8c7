"""The import pages: upload, watch the dry run, read every problem, confirm, watch it run.

The engine lives in tongxin.imports.services; these views only translate requests into its
calls and its job records into pages.
"""

from pathlib import PurePath
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from tongxin.audit.models import AuditAction
from tongxin.audit.services import record
from tongxin.imports.models import ImportJob, ImportStatus, import_kinds_for
from tongxin.imports.services.jobs import open_errors_file
from tongxin.imports.services.setup import SETUP_REASONS
from tongxin.web.decorators import is_fragment_request, page
from tongxin.web.forms import ImportUploadForm

STATUS_BOX = "job-status"
IN_PROGRESS = {ImportStatus.UPLOADED, ImportStatus.VALIDATING, ImportStatus.RUNNING}
PROBLEMS_PER_PAGE = 500
RECENT_JOBS = 20
# The counts of an ImportResult.as_dict(), in the order a reader wants them.
SUMMARY_LABELS = {
    "rows": gettext_lazy("数据行"),
    "created": gettext_lazy("新增"),
    "updated": gettext_lazy("更新"),
    "unchanged": gettext_lazy("无变化"),
    "duplicate": gettext_lazy("重复行"),
    "rejected": gettext_lazy("被拒绝"),
    "warnings": gettext_lazy("有警告"),
}


def _services() -> Any:
    # Imported on use so the rest of the site keeps working while the engine is deployed.
    from tongxin.imports import services

    return services


def _kinds(request: HttpRequest) -> list[str]:
    """The kinds of file this user may import; none is a 403 (as the residents import was)."""
    kinds = import_kinds_for(request.user)
    if not kinds:
        raise PermissionDenied
    return kinds


@page()
def import_list(request: HttpRequest) -> HttpResponse:
    user: Any = request.user
    kinds = _kinds(request)
    if request.method == "POST":
        form = ImportUploadForm(request.POST, request.FILES, kinds=kinds)
        if form.is_valid():
            uploaded = form.cleaned_data["file"]
            services = _services()
            try:
                job = services.start_import_job(
                    user, uploaded, PurePath(uploaded.name).name, form.cleaned_data["kind"]
                )
            except (services.ImportFileError, PermissionDenied) as exc:
                form.add_error("file", str(exc))
            else:
                return redirect("import_job", pk=job.pk)
    else:
        form = ImportUploadForm(kinds=kinds, initial={"kind": request.GET.get("kind")})
    jobs = ImportJob.objects.visible_to(user).select_related("created_by")[:RECENT_JOBS]
    status = 400 if form.errors else 200
    return render(request, "web/imports/list.html", {"form": form, "jobs": jobs}, status=status)


def _counts(summary: dict[str, Any]) -> list[tuple[str, int]]:
    return [(str(label), summary.get(key, 0)) for key, label in SUMMARY_LABELS.items()]


def _reasons(summary: dict[str, Any]) -> list[tuple[str, int]]:
    """Rejection counts by reason, the engine's reason codes shown as its Chinese labels."""
    labels = {**SETUP_REASONS, **getattr(_services(), "REASONS", {})}
    counts = summary.get("rejected_reasons") or {}
    return sorted(
        ((_(labels.get(code, code)), n) for code, n in counts.items()), key=lambda r: -r[1]
    )


def _job_context(request: HttpRequest, job: ImportJob) -> dict[str, Any]:
    preview = job.preview or {}
    summary = preview.get("summary") or {}
    problems = preview.get("problems") or []
    rows = preview.get("rows") or []
    columns: list[str] = []
    for row in rows:
        columns.extend(c for c in row if c not in columns)
    final = job.summary or {}
    return {
        "job": job,
        "polling": job.status in IN_PROGRESS,
        "phase": _("校验")
        if job.status in {ImportStatus.UPLOADED, ImportStatus.VALIDATING}
        else _("导入"),
        "preview_columns": columns,
        "preview_rows": [[row.get(c, "") for c in columns] for row in rows],
        "preview_counts": _counts(summary),
        "rejected_reasons": _reasons(summary),
        "ignored_columns": summary.get("ignored_columns") or [],
        "problems_page": Paginator(problems, PROBLEMS_PER_PAGE).get_page(request.GET.get("page")),
        "problem_count": len(problems),
        "final_counts": _counts(final),
        "final_rejected_reasons": _reasons(final),
        "can_confirm": job.status == ImportStatus.VALIDATED,
    }


@page()
def import_job(request: HttpRequest, pk: int) -> HttpResponse:
    _kinds(request)
    job = get_object_or_404(ImportJob.objects.visible_to(request.user), pk=pk)
    context = _job_context(request, job)
    if is_fragment_request(request, STATUS_BOX):
        return render(request, "web/imports/_status.html", context)
    return render(request, "web/imports/job.html", context)


@require_POST
@page()
def import_confirm(request: HttpRequest, pk: int) -> HttpResponse:
    _kinds(request)
    job = get_object_or_404(ImportJob.objects.visible_to(request.user), pk=pk)
    services = _services()
    try:
        services.confirm_import_job(request.user, job)
    except services.ImportFileError as exc:
        messages.error(request, str(exc))
    return redirect("import_job", pk=job.pk)


@page()
def import_errors(request: HttpRequest, pk: int) -> FileResponse:
    """The rejected and warned rows of a job: only for a job the user may see."""
    _kinds(request)
    job = get_object_or_404(ImportJob.objects.visible_to(request.user), pk=pk)
    if not job.errors_file:
        raise Http404
    # The file holds the rows as uploaded (personal data included), so handing it out is audited.
    record(AuditAction.EXPORT, job, detail={"file": "errors"})
    stem = PurePath(job.original_name).stem or "import"
    suffix = PurePath(job.errors_file.name).suffix or ".xlsx"
    try:
        content = open_errors_file(job)
    except FileNotFoundError as exc:
        raise Http404 from exc
    response = FileResponse(
        content,
        as_attachment=True,
        filename=_("%(name)s_问题行%(suffix)s") % {"name": stem, "suffix": suffix},
    )
    response["Cache-Control"] = "no-store, private"
    return response
