"""The command post's pages: dashboard (and the wall view), daily reports, timeline, notices.
They translate requests into the services' calls and nothing more."""

import datetime as dt
from typing import Any

from django.contrib import messages as flash
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from tongxin.accounts.permissions import Perm, has_perm
from tongxin.audit.services import record_export
from tongxin.command.models import DailyReport, Notice, NoticeStatus, TimelineEntry
from tongxin.command.services import dashboard, documents, notices, reports, timeline
from tongxin.command.services import figures as fig
from tongxin.web.decorators import is_fragment_request, page


def _incident(request: HttpRequest) -> Any:
    return dashboard.current_incident(request.GET.get("incident") or request.POST.get("incident"))


# --- dashboard ----------------------------------------------------------------------------


@page(Perm.VIEW_COMMAND)
def dashboard_page(request: HttpRequest) -> HttpResponse:
    incident = _incident(request)
    scope = dashboard.scope_for(request.user, request.GET.get("area"))
    data = fig.cached_picture(incident, scope.areas)
    changed, seen_at = dashboard.changes_since_last_view(request.user, incident, scope, data)
    sections = [
        {
            **section,
            "figures": [
                {
                    **f,
                    "was": changed.get(f"{section['module']}.{f['key']}"),
                    "changed": f"{section['module']}.{f['key']}" in changed,
                }
                for f in section["figures"]
            ],
        }
        for section in data["sections"]
    ]
    context = {
        "incident": incident,
        "scope": scope,
        "data": data,
        "sections": sections,
        "changed": changed,
        "seen_at": seen_at,
        "children": dashboard.drill_children(request.user, scope),
        "cache_seconds": fig.cache_seconds(),
        "can_report": has_perm(request.user, Perm.VIEW_REPORTS),
    }
    return render(request, "command/dashboard.html", context)


@page(Perm.VIEW_COMMAND)
def trends_json(request: HttpRequest) -> JsonResponse:
    incident = _incident(request)
    scope = dashboard.scope_for(request.user, request.GET.get("area"))
    return JsonResponse(fig.trends(incident, scope.areas))


@page(Perm.VIEW_COMMAND)
def wall(request: HttpRequest) -> HttpResponse:
    incident = _incident(request)
    scope = dashboard.scope_for(request.user, request.GET.get("area"))
    data = fig.cached_picture(incident, scope.areas)
    context = {"incident": incident, "scope": scope, "data": data, "refresh": fig.cache_seconds()}
    if is_fragment_request(request, "wall-cards"):
        return render(request, "command/_wall_cards.html", context)
    return render(request, "command/wall.html", context)


# --- daily reports --------------------------------------------------------------------------


def _report(request: HttpRequest, number: int) -> DailyReport:
    incident = _incident(request)
    return get_object_or_404(
        DailyReport.objects.visible_to(request.user), incident=incident, number=number
    )


@page(Perm.VIEW_REPORTS)
def report_list(request: HttpRequest) -> HttpResponse:
    incident = _incident(request)
    if request.method == "POST":
        day = parse_date(request.POST.get("date", ""))
        if day is None:
            flash.error(request, _("请选择日报日期"))
        else:
            try:
                report = reports.generate(incident, day, user=request.user)
            except reports.ReportError as exc:
                flash.error(request, str(exc))
            else:
                return redirect("command:report", number=report.number)
    items = DailyReport.objects.visible_to(request.user).filter(incident=incident)
    default_day = timezone.localdate() - dt.timedelta(days=1)
    return render(
        request,
        "command/reports.html",
        {
            "incident": incident,
            "reports": items,
            "default_day": default_day,
            "can_generate": has_perm(request.user, Perm.EDIT_REPORTS),
        },
    )


@page(Perm.VIEW_REPORTS)
def report_page(request: HttpRequest, number: int) -> HttpResponse:
    report = _report(request, number)
    if request.method == "POST":
        action = request.POST.get("action")
        try:
            if action == "edit":
                reports.edit(
                    report,
                    request.user,
                    {key: request.POST.get(key, "") for key, _label in reports.TEXT_SECTIONS},
                )
                flash.success(request, _("文字部分已保存"))
            elif action == "review":
                reports.review(report, request.user)
                flash.success(request, _("日报已审核"))
            elif action == "issue":
                reports.issue(report, request.user)
                flash.success(request, _("日报已签发，摘要已发送至工作群"))
        except reports.ReportError as exc:
            flash.error(request, str(exc))
        return redirect("command:report", number=report.number)
    context = {
        "report": report,
        "cutoff": reports.cutoff_label(report),
        "tables": reports.rows(report),
        "text_sections": [
            (key, label, report.texts.get(key, "")) for key, label in reports.TEXT_SECTIONS
        ],
        "mismatches": [r for r in report.reconciliation if not r["ok"]],
        "can_edit": has_perm(request.user, Perm.EDIT_REPORTS) and not report.is_issued,
        "can_review": has_perm(request.user, Perm.REVIEW_REPORTS)
        and report.status == "edited"
        and report.edited_by_id != request.user.pk,
        "can_issue": has_perm(request.user, Perm.ISSUE_REPORTS) and report.status == "reviewed",
        "column_labels": documents._column_labels(report),
    }
    return render(request, "command/report.html", context)


@page(Perm.VIEW_REPORTS)
def report_download(request: HttpRequest, number: int, ext: str) -> HttpResponse:
    report = _report(request, number)
    if ext == "docx":
        data = documents.render_docx(report)
        kind = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
    elif ext == "xlsx":
        data = documents.render_xlsx(report)
        kind = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    else:
        raise Http404
    record_export(
        "daily_report",
        {"incident": report.incident_id, "number": report.number, "format": ext},
        len(report.snapshot.get("sections", [])),
        unmasked=False,
    )
    response = HttpResponse(data, content_type=kind)
    response["Content-Disposition"] = f'attachment; filename="{documents.filename(report, ext)}"'
    return response


# --- timeline -----------------------------------------------------------------------------


@page(Perm.VIEW_REPORTS)
def timeline_page(request: HttpRequest) -> HttpResponse:
    incident = _incident(request)
    if request.method == "POST":
        if not has_perm(request.user, Perm.EDIT_REPORTS):
            raise Http404
        raw = request.POST.get("at", "")
        at = parse_datetime(raw) if raw else timezone.now()
        if at is not None and timezone.is_naive(at):
            at = timezone.make_aware(at)
        try:
            if at is None:
                raise ValueError(_("时间格式不正确"))
            timeline.add_manual(incident, at, request.POST.get("text", ""), request.user)
        except ValueError as exc:
            flash.error(request, str(exc))
        return redirect("command:timeline")
    timeline.record_from_modules(incident)
    entries = TimelineEntry.objects.visible_to(request.user).filter(incident=incident)
    return render(
        request,
        "command/timeline.html",
        {"incident": incident, "entries": entries.order_by("-at", "-pk")[:500]},
    )


# --- notices --------------------------------------------------------------------------------


@page(Perm.MANAGE_NOTICES)
def notice_list(request: HttpRequest) -> HttpResponse:
    incident = _incident(request)
    if request.method == "POST":
        try:
            notices.draft(
                incident,
                request.user,
                request.POST.get("title", ""),
                request.POST.get("body", ""),
                request.POST.get("issuer", ""),
            )
            flash.success(request, _("通告草稿已保存"))
        except reports.ReportError as exc:
            flash.error(request, str(exc))
        return redirect("command:notices")
    items = Notice.objects.filter(incident=incident).order_by("-pk")
    return render(request, "command/notices.html", {"incident": incident, "notices": items})


@require_POST
@page(Perm.MANAGE_NOTICES)
def notice_publish(request: HttpRequest, pk: int) -> HttpResponse:
    notice = get_object_or_404(Notice, pk=pk)
    notices.publish(notice, request.user)
    flash.success(request, _("通告已发布"))
    return redirect("command:notices")


def public_notices(request: HttpRequest) -> HttpResponse:
    return render(request, "command/public_notices.html", {"notices": notices.published()})


def public_notice(request: HttpRequest, incident_id: int, number: int) -> HttpResponse:
    notice = get_object_or_404(
        Notice, incident_id=incident_id, number=number, status=NoticeStatus.PUBLISHED
    )
    return render(request, "command/public_notice.html", {"notice": notice})
