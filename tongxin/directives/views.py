from typing import Any

from django.contrib import messages as flash
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import npgettext
from django.views.decorators.http import require_POST

from tongxin.directives import services
from tongxin.directives.forms import (
    AssignForm,
    CompleteForm,
    CompleterForm,
    FeedbackForm,
    IssueForm,
    TaskReportForm,
)
from tongxin.directives.models import (
    DirectiveStatus,
    DirectiveTarget,
    Feedback,
    TaskStatus,
    sees_all_directives,
)
from tongxin.directives.services import DirectiveError
from tongxin.incidents.models import Incident
from tongxin.units.models import Unit
from tongxin.web.decorators import is_fragment_request, page


def _user(request: HttpRequest) -> Any:
    return request.user


# --- lists -----------------------------------------------------------------------------------


@page()
def directive_list(request: HttpRequest) -> HttpResponse:
    """The command post's board; a unit's staff land on their unit's directives instead."""
    user = _user(request)
    if not sees_all_directives(user):
        return redirect("directives:mine")
    status = request.GET.get("status", DirectiveStatus.OPEN)
    incident = None
    if request.GET.get("incident"):
        incident = Incident.objects.visible_to(user).filter(pk=request.GET["incident"]).first()
    now = timezone.now()
    directives = services.board(
        user, incident=incident, status=status if status in DirectiveStatus.values else None,
        now=now,
    )  # fmt: skip
    return render(
        request,
        "directives/board.html",
        {
            "directives": directives,
            "status": status,
            "statuses": DirectiveStatus.choices,
            "incident": incident,
            "incidents": Incident.objects.visible_to(user),
            "can_issue": services.can_issue(user),
            "now": now,
        },
    )


def _unit_page(request: HttpRequest, unit: Unit) -> HttpResponse:
    user = _user(request)
    include_done = request.GET.get("done") == "1"
    targets = services.unit_targets(user, unit.pk, include_done=include_done)
    my_tasks = (
        services.visible_tasks(user)
        .filter(assignee=user, status=TaskStatus.OPEN)
        .select_related("target__directive", "place")
    )
    return render(
        request,
        "directives/unit.html",
        {
            "unit": unit,
            "targets": targets,
            "include_done": include_done,
            "my_tasks": my_tasks,
            "now": timezone.now(),
            "sees_all": sees_all_directives(user),
        },
    )


@page()
def my_unit(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    if not user.unit_id:
        if sees_all_directives(user):
            return redirect("directives:units")
        raise Http404
    return _unit_page(request, user.unit)


@page()
def units(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    if not sees_all_directives(user):
        raise Http404
    return render(
        request, "directives/units.html", {"rows": services.units_with_open_directives(user)}
    )


@page()
def unit_directives(request: HttpRequest, unit_id: int) -> HttpResponse:
    user = _user(request)
    if not sees_all_directives(user) and user.unit_id != unit_id:
        raise Http404
    unit = Unit.objects.filter(pk=unit_id).first()
    if unit is None:
        raise Http404
    return _unit_page(request, unit)


# --- issuing ---------------------------------------------------------------------------------


@page()
def issue(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    if not services.can_issue(user):
        raise PermissionDenied
    zones = services.zone_options(user)
    if request.method == "POST":
        form = IssueForm(request.POST, request.FILES, user=user, zone_choices=zones)
        if form.is_valid():
            data = form.cleaned_data
            try:
                directive = services.issue_directive(
                    incident=data["incident"],
                    issued_by=user,
                    title=data["title"],
                    text=data["text"],
                    deadline=data["deadline"],
                    priority=data["priority"],
                    units=data["units"],
                    zone=data.get("zone"),
                    requires_text=data["requires_text"],
                    number_label=data["number_label"],
                    requires_photo=data["requires_photo"],
                    attachments=data["attachments"],
                )
            except DirectiveError as exc:
                form.add_error(None, str(exc))
            else:
                count = directive.targets.count()
                flash.success(
                    request,
                    npgettext(
                        "单位数", "指令已下达至 %(n)d 个单位", "指令已下达至 %(n)d 个单位", count
                    )
                    % {"n": count},
                )
                return redirect("directives:detail", pk=directive.pk)
    else:
        form = IssueForm(user=user, zone_choices=zones)
    return render(request, "directives/issue.html", {"form": form})


@page()
@require_POST
def cancel(request: HttpRequest, pk: int) -> HttpResponse:
    user = _user(request)
    directive = services.get_directive(user, pk)
    try:
        services.cancel_directive(directive, user, request.POST.get("reason", ""))
    except DirectiveError as exc:
        flash.error(request, str(exc))
    else:
        flash.success(request, _("指令已撤销"))
    return redirect("directives:detail", pk=pk)


# --- one directive ---------------------------------------------------------------------------


def _target_context(request: HttpRequest, target: DirectiveTarget, **extra: Any) -> dict[str, Any]:
    user = _user(request)
    directive = target.directive
    acts = services.acts_for(user, target) and directive.status == DirectiveStatus.OPEN
    leads = services.leads(user, target) and directive.status == DirectiveStatus.OPEN
    tasks = list(target.tasks.select_related("assignee", "place").order_by("place__path", "pk"))
    my_tasks = [t for t in tasks if t.assignee_id == user.pk]
    rolled = services.rollup(target)
    context: dict[str, Any] = {
        "target": target,
        "directive": directive,
        "acts": acts,
        "leads": leads,
        "feedback": target.feedback.select_related("author").all(),
        "tasks": tasks,
        "my_tasks": my_tasks,
        "rollup": rolled,
        "now": timezone.now(),
    }
    # Bound forms with errors come in `extra` and replace these blank ones.
    if acts and not target.is_completed:
        context.setdefault(
            "feedback_form", FeedbackForm(directive=directive, auto_id=f"fb{target.pk}_%s")
        )
        if services.can_complete(user, target):
            context.setdefault(
                "complete_form",
                CompleteForm(
                    directive=directive,
                    auto_id=f"done{target.pk}_%s",
                    initial={"text": rolled.text, "number": rolled.number},
                ),
            )
        else:
            context["completed_by_leader"] = True
        if leads:
            context.setdefault(
                "assign_form", AssignForm(target=target, user=user, auto_id=f"as{target.pk}_%s")
            )
            context.setdefault(
                "completer_form", CompleterForm(target=target, auto_id=f"cp{target.pk}_%s")
            )
    context["task_forms"] = [
        (task, TaskReportForm(directive=directive, auto_id=f"task{task.pk}_%s"))
        for task in my_tasks
        if task.status == TaskStatus.OPEN and directive.status == DirectiveStatus.OPEN
    ]
    context.update(extra)
    return context


@page()
def detail(request: HttpRequest, pk: int) -> HttpResponse:
    user = _user(request)
    directive = services.get_directive(user, pk)
    now = timezone.now()
    context: dict[str, Any] = {"directive": directive, "now": now}
    if sees_all_directives(user):
        rows = services.board(user, status=None, only=directive, now=now)
        row = rows[0] if rows else directive
        context.update(
            directive=row,
            rows=getattr(row, "unit_rows", []),
            counts=getattr(row, "counts", None),
            can_cancel=services.can_issue(user) and directive.status == DirectiveStatus.OPEN,
            number_total=services.numbers_total(directive),
        )
    own = services.visible_targets(user).filter(directive=directive, unit_id=user.unit_id).first()
    if own is not None:
        own.directive = directive
        context["own"] = _target_context(request, own)
    return render(request, "directives/detail.html", context)


def _respond(
    request: HttpRequest, target: DirectiveTarget, ok: str = "", error: str = "", **extra: Any
) -> HttpResponse:
    target.refresh_from_db()
    target.directive.refresh_from_db()
    if is_fragment_request(request):
        context = _target_context(request, target, ok=ok, error=error, **extra)
        return render(request, "directives/_target_card.html", context)
    if error:
        flash.error(request, error)
    elif ok:
        flash.success(request, ok)
    return redirect("directives:detail", pk=target.directive_id)


@page()
@require_POST
def sign(request: HttpRequest, pk: int) -> HttpResponse:
    target = services.get_target(_user(request), pk)
    try:
        services.sign(target, _user(request))
    except DirectiveError as exc:
        return _respond(request, target, error=str(exc))
    return _respond(request, target, ok=_("已签收"))


@page()
@require_POST
def feedback(request: HttpRequest, pk: int) -> HttpResponse:
    target = services.get_target(_user(request), pk)
    form = FeedbackForm(
        request.POST, request.FILES, directive=target.directive, auto_id=f"fb{target.pk}_%s"
    )
    if not form.is_valid():
        return _respond(request, target, error=_("请检查填写内容"), feedback_form=form)
    try:
        services.add_feedback(
            target, _user(request), form.cleaned_data["text"],
            number=form.cleaned_data.get("number"), photo=form.cleaned_data.get("photo"),
        )  # fmt: skip
    except DirectiveError as exc:
        return _respond(request, target, error=str(exc), feedback_form=form)
    return _respond(request, target, ok=_("进展已反馈"))


@page()
@require_POST
def complete(request: HttpRequest, pk: int) -> HttpResponse:
    target = services.get_target(_user(request), pk)
    form = CompleteForm(
        request.POST, request.FILES, directive=target.directive, auto_id=f"done{target.pk}_%s"
    )
    if not form.is_valid():
        return _respond(request, target, error=_("请检查填写内容"), complete_form=form)
    try:
        services.complete(
            target, _user(request), text=form.cleaned_data.get("text", ""),
            number=form.cleaned_data.get("number"), photo=form.cleaned_data.get("photo"),
        )  # fmt: skip
    except DirectiveError as exc:
        return _respond(request, target, error=str(exc), complete_form=form)
    return _respond(request, target, ok=_("已办结"))


@page()
@require_POST
def assign(request: HttpRequest, pk: int) -> HttpResponse:
    user = _user(request)
    target = services.get_target(user, pk)
    form = AssignForm(request.POST, target=target, user=user, auto_id=f"as{target.pk}_%s")
    if not form.is_valid():
        return _respond(request, target, error=_("请检查填写内容"), assign_form=form)
    try:
        services.assign_task(
            target, user, form.cleaned_data["assignee"], place=form.cleaned_data.get("place"),
            note=form.cleaned_data.get("note", ""),
        )  # fmt: skip
    except DirectiveError as exc:
        return _respond(request, target, error=str(exc), assign_form=form)
    return _respond(request, target, ok=_("任务已分派"))


@page()
@require_POST
def completer(request: HttpRequest, pk: int) -> HttpResponse:
    user = _user(request)
    target = services.get_target(user, pk)
    form = CompleterForm(request.POST, target=target, auto_id=f"cp{target.pk}_%s")
    if not form.is_valid():
        return _respond(request, target, error=_("请检查填写内容"), completer_form=form)
    try:
        services.name_completer(target, user, form.cleaned_data.get("completer"))
    except DirectiveError as exc:
        return _respond(request, target, error=str(exc), completer_form=form)
    return _respond(request, target, ok=_("已指定办结人"))


@page()
@require_POST
def task_report(request: HttpRequest, pk: int) -> HttpResponse:
    user = _user(request)
    task = services.get_task(user, pk)
    form = TaskReportForm(request.POST, request.FILES, directive=task.target.directive)
    if not form.is_valid():
        return _respond(request, task.target, error=_("请检查填写内容"))
    try:
        services.report_task(
            task, user, text=form.cleaned_data.get("text", ""),
            number=form.cleaned_data.get("number"), photo=form.cleaned_data.get("photo"),
        )  # fmt: skip
    except DirectiveError as exc:
        return _respond(request, task.target, error=str(exc))
    return _respond(request, task.target, ok=_("已填报"))


# --- files (served only to those who may see the directive) ----------------------------------


def _file_response(field: Any) -> FileResponse:
    if not field:
        raise Http404
    try:
        handle = field.open("rb")
    except FileNotFoundError:
        raise Http404 from None
    return FileResponse(handle, as_attachment=False, filename=field.name.rsplit("/", 1)[-1])


@page()
def attachment(request: HttpRequest, pk: int, attachment_pk: int) -> HttpResponseBase:
    directive = services.get_directive(_user(request), pk)
    item = directive.attachments.filter(pk=attachment_pk).first()
    if item is None:
        raise Http404
    response = _file_response(item.file)
    response["Content-Disposition"] = response["Content-Disposition"].replace(
        "inline", "attachment", 1
    )
    return response


@page()
def report_file(request: HttpRequest, kind: str, pk: int) -> HttpResponseBase:
    user = _user(request)
    if kind == "target":
        return _file_response(services.get_target(user, pk).report_photo)
    if kind == "feedback":
        item = Feedback.objects.filter(pk=pk, target__in=services.visible_targets(user)).first()
        if item is None:
            raise Http404
        return _file_response(item.photo)
    if kind == "task":
        return _file_response(services.get_task(user, pk).report_photo)
    raise Http404
