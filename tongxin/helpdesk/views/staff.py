"""The staff's pages: the duty queue, the hotline form, a request, a team's list, the county
view, figures, imports and the keyword rules. Views translate; the rules are in services."""

from collections.abc import Callable
from typing import Any

from django.contrib import messages as flash
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from tongxin.helpdesk import forms
from tongxin.helpdesk.models import (
    OPEN_STATUSES,
    Category,
    Channel,
    HelpRequest,
    KeywordRule,
    Outcome,
    RequestImport,
    Status,
)
from tongxin.helpdesk.services import (
    access,
    boards,
    detail,
    imports,
    intake,
    registry,
    stats,
    work,
)
from tongxin.helpdesk.services.events import HelpdeskError
from tongxin.helpdesk.services.triage import EMERGENCY_RULE, suggest
from tongxin.imports.readers import ImportFileError
from tongxin.people import services as people
from tongxin.people.models import Person
from tongxin.people.services import PermissionDenied as RevealDenied
from tongxin.units.models import Unit
from tongxin.web.decorators import is_fragment_request, page


def _user(request: HttpRequest) -> Any:
    return request.user


def _require_duty(request: HttpRequest) -> None:
    if not access.is_duty_staff(_user(request)):
        raise PermissionDenied


def _common(request: HttpRequest, **extra: Any) -> dict[str, Any]:
    return {
        "emergency_rule": EMERGENCY_RULE,
        "now": timezone.now(),
        "duty": access.is_duty_staff(_user(request)),
        **extra,
    }


# --- landing ---------------------------------------------------------------------------------


@page()
def index(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    if access.is_command_post(user):
        return redirect("helpdesk:county")
    if access.is_duty_staff(user):
        return redirect("helpdesk:queue")
    if user.unit_id and HelpRequest.objects.filter(team_id=user.unit_id).exists():
        return redirect("helpdesk:team")
    if not access.may_see_help_desk(user):
        raise PermissionDenied
    return redirect("helpdesk:area")


# --- boards ----------------------------------------------------------------------------------


@page()
def queue(request: HttpRequest) -> HttpResponse:
    _require_duty(request)
    user = _user(request)
    status = request.GET.get("status", "")
    category = request.GET.get("category", "")
    only_overdue = request.GET.get("overdue") == "1"
    qs = boards.queue_rows(user, status=status, category=category, only_overdue=only_overdue)
    page_obj = boards.page_of(qs, request.GET.get("page"))
    return render(
        request,
        "helpdesk/queue.html",
        _common(
            request,
            rows=page_obj.object_list,
            page_obj=page_obj,
            status=status,
            category=category,
            only_overdue=only_overdue,
            statuses=[(s, label) for s, label in Status.choices if s in OPEN_STATUSES],
            categories=Category.choices,
            follow_ups=boards.awaiting_follow_up_count(user),
        ),
    )


@page()
def follow_ups(request: HttpRequest) -> HttpResponse:
    _require_duty(request)
    order = request.GET.get("order", "recent")
    order = order if order in boards.FOLLOW_UP_ORDERS else "recent"
    number = request.GET.get("number", "")[:24]
    qs = boards.follow_up_rows(_user(request), order=order, number=number)
    page_obj = boards.page_of(qs, request.GET.get("page"))
    return render(
        request,
        "helpdesk/follow_ups.html",
        _common(
            request,
            rows=page_obj.object_list,
            page_obj=page_obj,
            order=order,
            number=number,
            orders=[
                ("recent", _("最近办结在前")),
                ("oldest", _("等待最久在前")),
                ("urgent", _("紧急程度")),
            ],
        ),
    )


def _team_page(request: HttpRequest, unit: Unit) -> HttpResponse:
    board = boards.team_board(_user(request), unit.pk)
    return render(request, "helpdesk/team.html", _common(request, unit=unit, board=board))


@page()
def my_team(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    if not user.unit_id:
        raise Http404
    return _team_page(request, user.unit)


@page()
def team(request: HttpRequest, unit_id: int) -> HttpResponse:
    user = _user(request)
    if not access.is_duty_staff(user) and user.unit_id != unit_id:
        raise Http404
    return _team_page(request, get_object_or_404(Unit, pk=unit_id))


@page()
def area(request: HttpRequest) -> HttpResponse:
    """A responsible unit's view: open requests from the places it is responsible for."""
    user = _user(request)
    page_obj = boards.page_of(boards.queue_rows(user), request.GET.get("page"))
    return render(
        request,
        "helpdesk/area.html",
        _common(request, rows=page_obj.object_list, page_obj=page_obj),
    )


@page()
def county(request: HttpRequest) -> HttpResponse:
    _require_duty(request)
    view = boards.county_view(_user(request))
    start, end = forms.StatsForm.default_window()
    figures = stats.compute(start, end, user=_user(request))
    return render(
        request,
        "helpdesk/county.html",
        _common(request, view=view, figures=figures, start=start, end=end),
    )


@page()
def figures(request: HttpRequest) -> HttpResponse:
    _require_duty(request)
    start, end = forms.StatsForm.default_window()
    form = forms.StatsForm(request.GET or None, initial={"start": start, "end": end})
    if form.is_bound and form.is_valid():
        start, end = form.cleaned_data["start"], form.cleaned_data["end"]
    result = stats.compute(start, end, user=_user(request))
    return render(
        request,
        "helpdesk/stats.html",
        _common(request, form=form, stats=result, categories=Category.choices),
    )


# --- the hotline form ------------------------------------------------------------------------


def _picked_person(user: Any, value: Any) -> Person | None:
    if not value:
        return None
    found = Person.objects.visible_to(user).select_related("household").filter(pk=value).first()
    if found is None:
        raise Http404
    return found


@page()
def new(request: HttpRequest) -> HttpResponse:
    _require_duty(request)
    user = _user(request)
    form = forms.HotlineForm(request.POST or None)
    context: dict[str, Any] = _common(request, form=form)
    if request.method != "POST" or not form.is_valid():
        form.seal_phone()
        return render(request, "helpdesk/new.html", context, status=400 if form.is_bound else 200)
    data = form.cleaned_data
    person = _picked_person(user, data.get("person"))
    located = registry.locate(data.get("estate"), data.get("unit_text", ""))
    place = located.place or (person.household if person else None)
    address = (data.get("address") or "").strip()
    if data.get("estate") is not None:
        address = " ".join(
            p for p in (data["estate"].name, data.get("unit_text", "").strip(), address) if p
        )
    action = data.get("duplicate_action") or ""
    duplicates = intake.likely_duplicates(data["phone"], place)
    if person is not None:
        duplicates += [
            d
            for d in intake.find_duplicates(person=person)
            if d.pk not in {x.pk for x in duplicates}
        ]
    if duplicates and not action:
        form.seal_phone()
        context.update(duplicates=duplicates)
        return render(request, "helpdesk/new.html", context)
    try:
        received = intake.receive(
            intake.Intake(
                text=data["text"], phone=data["phone"], caller_name=data.get("caller_name", ""),
                place=place, address=address, category=data.get("category", ""),
                priority=data.get("priority", ""), emergency=data.get("emergency", False),
                person=person, channel=Channel.HOTLINE,
            ),
            by=user,
        )  # fmt: skip
        created = received.request
        if action.startswith("merge:"):
            target = access.visible_requests(user).filter(pk=action.split(":", 1)[1]).first()
            if target is None:
                raise Http404
            into = intake.merge(created, target, user)
            flash.success(
                request,
                _("来电已记录为 %(n)s 并合并至 %(m)s") % {"n": created.number, "m": into.number},
            )
            return redirect("helpdesk:detail", number=into.number)
        if action == "new" and created.suspected_duplicate_of_id:
            intake.dismiss_duplicate(created, user)
        if data.get("answered"):
            work.log_contact(created, user, Outcome.CALLED, _("来电时当场解答"))
            work.close(created, user, data["resolution"])
    except HelpdeskError as exc:
        form.add_error(None, str(exc))
        form.seal_phone()
        return render(request, "helpdesk/new.html", context, status=400)
    flash.success(request, _("已受理，工单号 %(n)s") % {"n": created.number})
    return redirect("helpdesk:detail", number=created.number)


@page()
@require_POST
def lookup(request: HttpRequest) -> HttpResponse:
    """The hotline form's registry lookup: residents the duty staff may see, masked. POSTed,
    so a typed ID or phone number never lands in a URL."""
    _require_duty(request)
    user = _user(request)
    query = (request.POST.get("q") or "").strip()
    phone = (request.POST.get("phone") or "").strip()
    results: list[Person] = []
    visible = Person.objects.visible_to(user).for_list()
    if query:
        results = list(people.search(visible, query).order_by("household__path", "pk")[:10])
    elif phone:
        try:
            number, _mobile = registry.normalize_callback(phone)
        except Exception:
            number = ""
        if number:
            results = list(visible.with_phone(number).order_by("household__path", "pk")[:10])
    context = {"results": results, "searched": bool(query or phone)}
    return render(request, "helpdesk/_lookup.html", context)


@page()
@require_POST
def suggest_priority(request: HttpRequest) -> HttpResponse:
    _require_duty(request)
    result = suggest(request.POST.get("text", ""), category=request.POST.get("category", ""))
    return render(request, "helpdesk/_suggestion.html", {"suggestion": result})


# --- one request -----------------------------------------------------------------------------


def _detail_context(request: HttpRequest, req: HelpRequest, **extra: Any) -> dict[str, Any]:
    user = _user(request)
    view = detail.view(req, user)
    context = _common(
        request,
        req=req,
        view=view,
        triage_form=forms.TriageForm(
            initial={
                "priority": req.priority,
                "category": req.category,
                "emergency": req.is_emergency,
            }
        ),
        dispatch_form=forms.DispatchForm(teams=work.teams(user)),
        suggested_teams=work.suggested_teams(req) if view.duty and req.is_open else [],
        contact_form=forms.ContactForm(),
        close_form=forms.CloseForm(),
        follow_up_form=forms.FollowUpForm(),
        reason_form=forms.ReasonForm(),
        note_form=forms.NoteForm(),
        merge_form=forms.MergeForm(),
    )
    context.update(extra)
    return context


@page()
def request_detail(request: HttpRequest, number: str) -> HttpResponse:
    req = access.view_request(_user(request), number)
    return render(request, "helpdesk/detail.html", _detail_context(request, req))


def _act(
    request: HttpRequest, number: str, action: Callable[[HelpRequest, Any], str]
) -> HttpResponse:
    req = access.get_request(_user(request), number)
    try:
        message = action(req, _user(request))
    except HelpdeskError as exc:
        flash.error(request, str(exc))
    else:
        if message:
            flash.success(request, message)
    target = req.merged_into.number if req.status == Status.MERGED and req.merged_into else number
    if request.POST.get("next") == "team" and _user(request).unit_id:
        return redirect("helpdesk:team")
    return redirect("helpdesk:detail", number=target)


def _form_or_error(form: Any) -> dict[str, Any]:
    if not form.is_valid():
        errors = [str(e) for field_errors in form.errors.values() for e in field_errors]
        raise HelpdeskError("；".join(errors) or _("请检查填写内容"))
    return dict(form.cleaned_data)


@page()
@require_POST
def do_triage(request: HttpRequest, number: str) -> HttpResponse:
    def act(req: HelpRequest, user: Any) -> str:
        data = _form_or_error(forms.TriageForm(request.POST))
        work.triage(req, user, priority=data["priority"], category=data["category"],
                    emergency=data["emergency"], note=data.get("note", ""))  # fmt: skip
        return _("已确认分类和紧急程度")

    return _act(request, number, act)


@page()
@require_POST
def do_dispatch(request: HttpRequest, number: str) -> HttpResponse:
    def act(req: HelpRequest, user: Any) -> str:
        data = _form_or_error(forms.DispatchForm(request.POST, teams=work.teams(user)))
        work.dispatch(req, data["team"], user, note=data.get("note", ""))
        return _("已转办至 %(t)s") % {"t": data["team"].name}

    return _act(request, number, act)


@page()
@require_POST
def do_claim(request: HttpRequest, number: str) -> HttpResponse:
    def act(req: HelpRequest, user: Any) -> str:
        work.claim(req, user)
        return _("已认领，请尽快联系求助人")

    return _act(request, number, act)


@page()
@require_POST
def do_contact(request: HttpRequest, number: str) -> HttpResponse:
    def act(req: HelpRequest, user: Any) -> str:
        data = _form_or_error(forms.ContactForm(request.POST))
        work.log_contact(req, user, data["outcome"], data.get("note", ""))
        return _("已登记联系情况")

    return _act(request, number, act)


@page()
@require_POST
def do_note(request: HttpRequest, number: str) -> HttpResponse:
    def act(req: HelpRequest, user: Any) -> str:
        data = _form_or_error(forms.NoteForm(request.POST))
        work.add_note(req, user, data["note"])
        return _("已添加备注")

    return _act(request, number, act)


@page()
@require_POST
def do_close(request: HttpRequest, number: str) -> HttpResponse:
    def act(req: HelpRequest, user: Any) -> str:
        data = _form_or_error(forms.CloseForm(request.POST))
        work.close(req, user, data["resolution"])
        return _("已办结")

    return _act(request, number, act)


@page()
@require_POST
def do_follow_up(request: HttpRequest, number: str) -> HttpResponse:
    def act(req: HelpRequest, user: Any) -> str:
        data = _form_or_error(forms.FollowUpForm(request.POST))
        result = work.follow_up(
            req, user, satisfied=data["satisfied"], note=data.get("note", ""),
            wrongly_closed=data.get("wrongly_closed", False),
        )  # fmt: skip
        if result.status != Status.CLOSED:
            return _("已回访；工单已重新办理，承办组已收到通知")
        return _("已回访")

    return _act(request, number, act)


@page()
@require_POST
def do_reopen(request: HttpRequest, number: str) -> HttpResponse:
    def act(req: HelpRequest, user: Any) -> str:
        data = _form_or_error(forms.ReasonForm(request.POST))
        work.reopen(req, user, reason=data["reason"])
        return _("已重新办理")

    return _act(request, number, act)


@page()
@require_POST
def do_return(request: HttpRequest, number: str) -> HttpResponse:
    def act(req: HelpRequest, user: Any) -> str:
        data = _form_or_error(forms.ReasonForm(request.POST))
        work.return_to_desk(req, user, data["reason"])
        return _("已退回平台")

    return _act(request, number, act)


@page()
@require_POST
def do_merge(request: HttpRequest, number: str) -> HttpResponse:
    def act(req: HelpRequest, user: Any) -> str:
        data = _form_or_error(forms.MergeForm(request.POST))
        target = access.visible_requests(user).filter(number=data["into"]).first()
        if target is None:
            raise HelpdeskError(_("找不到工单 %(n)s") % {"n": data["into"]})
        into = intake.merge(req, target, user)
        return _("已合并至 %(n)s") % {"n": into.number}

    return _act(request, number, act)


@page()
@require_POST
def do_not_duplicate(request: HttpRequest, number: str) -> HttpResponse:
    def act(req: HelpRequest, user: Any) -> str:
        intake.dismiss_duplicate(req, user)
        return _("已标记为不是重复求助")

    return _act(request, number, act)


@page()
@require_POST
def reveal(request: HttpRequest, number: str, field: str) -> HttpResponse:
    req = access.get_request(_user(request), number)
    try:
        if field == "phone":
            value = work.reveal_phone(req, _user(request))
        elif field == "text":
            value = work.reveal_text(req, _user(request))
        else:
            raise Http404
    except RevealDenied as exc:
        raise PermissionDenied(str(exc)) from None
    context = {"req": req, "field": field, "value": value}
    if is_fragment_request(request):
        return render(request, "helpdesk/_revealed.html", context)
    return render(request, "helpdesk/revealed.html", context)


# --- imports ---------------------------------------------------------------------------------


@page()
def import_list(request: HttpRequest) -> HttpResponse:
    _require_duty(request)
    user = _user(request)
    form = forms.ImportForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            job = imports.import_requests(
                upload.read(), upload.name, channel=form.cleaned_data["channel"],
                source_label=form.cleaned_data.get("source_label", ""), user=user,
            )  # fmt: skip
        except ImportFileError as exc:
            form.add_error("file", str(exc))
        else:
            return redirect("helpdesk:import", pk=job.pk)
    jobs = RequestImport.objects.select_related("created_by")[:30]
    return render(request, "helpdesk/imports.html", _common(request, form=form, jobs=jobs))


@page()
def import_detail(request: HttpRequest, pk: int) -> HttpResponse:
    _require_duty(request)
    job = get_object_or_404(RequestImport, pk=pk)
    return render(request, "helpdesk/import.html", _common(request, job=job))


@page()
def import_problems(request: HttpRequest, pk: int) -> HttpResponse:
    _require_duty(request)
    job = get_object_or_404(RequestImport, pk=pk)
    response = HttpResponse(imports.problems_csv(job), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="import-{job.pk}-problems.csv"'
    return response


# --- keyword rules ---------------------------------------------------------------------------


@page()
def rules(request: HttpRequest) -> HttpResponse:
    _require_duty(request)
    editing = None
    if request.GET.get("edit"):
        editing = get_object_or_404(KeywordRule, pk=request.GET["edit"])
    form = forms.KeywordRuleForm(request.POST or None, instance=editing)
    if request.method == "POST":
        if request.POST.get("delete") and editing is not None:
            editing.delete()
            flash.success(request, _("已删除关键词“%(k)s”") % {"k": editing.keyword})
            return redirect("helpdesk:rules")
        if form.is_valid():
            rule = form.save()
            flash.success(request, _("已保存关键词“%(k)s”") % {"k": rule.keyword})
            return redirect("helpdesk:rules")
    return render(
        request,
        "helpdesk/rules.html",
        _common(request, rules=KeywordRule.objects.all(), form=form, editing=editing),
    )
