"""Test rounds, points, the staggered schedule and reminders (pages, mobile first).

Views translate requests into service calls; everything they show comes through
`visible_to(user)`, and anything outside the user's places is a 404.
"""

from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from tongxin.accounts.models import User
from tongxin.accounts.permissions import Perm
from tongxin.core.uploads import UploadRejected
from tongxin.imports.readers import ImportFileError
from tongxin.incidents.models import Incident
from tongxin.people.models import Person
from tongxin.people.services import search
from tongxin.places.models import Place, PlaceKind
from tongxin.testing import forms, planner
from tongxin.testing.models import (
    Exemption,
    PlanSlot,
    ReminderStatus,
    RoundArea,
    RoundPoint,
    RoundStatus,
    TestPoint,
    TestRound,
)
from tongxin.testing.services import overview, plans, reminders, rounds
from tongxin.testing.services.permissions import can_manage_testing, can_plan, can_remind
from tongxin.testing.services.points_import import import_points_upload
from tongxin.testing.services.rounds import RoundError
from tongxin.testing.services.scope import should_test
from tongxin.web.decorators import is_fragment_request, page


def _round(request: HttpRequest, pk: int) -> TestRound:
    return get_object_or_404(
        TestRound.objects.visible_to(request.user).select_related("incident__policy_edition"),
        pk=pk,
    )


def _require(allowed: bool) -> None:
    if not allowed:
        raise PermissionDenied


def _common(request: HttpRequest, round: TestRound | None = None) -> dict[str, Any]:
    user = request.user
    return {
        "round": round,
        "can_manage": can_manage_testing(user),
        "can_plan": can_plan(user),
        "can_remind": can_remind(user),
    }


# --- rounds ---------------------------------------------------------------------------------


@page(Perm.VIEW_PLACES)
def round_list(request: HttpRequest) -> HttpResponse:
    context = _common(request)
    context["rounds"] = overview.rounds_for_list(request.user)
    return render(request, "testing/round_list.html", context)


@page(Perm.VIEW_PLACES)
def round_create(request: HttpRequest) -> HttpResponse:
    _require(can_manage_testing(request.user))
    incident = Incident.objects.visible_to(request.user).open().first()
    places = Place.objects.visible_to(request.user)
    form = forms.RoundForm(request.POST or None, places=places)
    if request.method == "POST" and form.is_valid():
        if incident is None:
            form.add_error(None, _("没有进行中的响应事件"))
        else:
            data = form.cleaned_data
            try:
                created = rounds.create_round(
                    incident,
                    data["name"],
                    data["starts_at"],
                    data["deadline"],
                    data["scope"],
                    by=request.user,
                    people_per_sampler_hour=data["people_per_sampler_hour"],
                )
            except RoundError as exc:
                form.add_error(None, str(exc))
            else:
                messages.success(request, _("已发起核酸轮次“%(name)s”") % {"name": created.name})
                return redirect("testing:round", created.pk)
    context = _common(request)
    context.update({"form": form, "incident": incident})
    return render(request, "testing/round_form.html", context)


@page(Perm.VIEW_PLACES)
def round_detail(request: HttpRequest, pk: int) -> HttpResponse:
    round = _round(request, pk)
    user = request.user
    context = _common(request, round)
    scope_places = overview.scope_places(round, user)
    context.update(
        {
            "areas": RoundArea.objects.filter(round=round)
            .filter(Q(place__in=Place.objects.visible_to(user)) | Q(mode_override=""))
            .select_related("place")
            .order_by("place__path"),
            "figures": overview.round_figures(round, user),
            "area_modes": overview.area_modes(round, user),
            "round_points": overview.round_points(round, user),
            "plan": getattr(round, "plan", None),
            "statuses": RoundStatus,
        }
    )
    if context["can_manage"] and round.status != RoundStatus.CLOSED:
        context["area_form"] = forms.AreaForm(places=scope_places)
        context["scope_form"] = forms.AreaForm(
            places=Place.objects.visible_to(user).filter(kind__in=forms.AREA_KINDS)
        )
        context["point_form"] = forms.RoundPointForm(
            points=TestPoint.objects.visible_to(user).filter(active=True).order_by("name"),
            places=scope_places.filter(kind__in=[PlaceKind.ESTATE, PlaceKind.BUILDING]),
        )
    return render(request, "testing/round_detail.html", context)


@page(Perm.VIEW_PLACES)
@require_POST
def round_area(request: HttpRequest, pk: int) -> HttpResponse:
    """Add a place to the scope, or set a place's sampling mode (override)."""
    round = _round(request, pk)
    _require(can_manage_testing(request.user))
    user = request.user
    widen = request.POST.get("widen") == "1"
    places = (
        Place.objects.visible_to(user).filter(kind__in=forms.AREA_KINDS)
        if widen
        else overview.scope_places(round, user)
    )
    form = forms.AreaForm(request.POST, places=places)
    if form.is_valid():
        data = form.cleaned_data
        try:
            if widen:
                rounds.add_area(round, data["place"], data["mode_override"])
            else:
                rounds.set_mode_override(round, data["place"], data["mode_override"])
        except RoundError as exc:
            messages.error(request, str(exc))
        else:
            messages.success(request, _("已保存"))
    else:
        messages.error(request, _("请选择地点"))
    return redirect("testing:round", round.pk)


@page(Perm.VIEW_PLACES)
@require_POST
def round_status(request: HttpRequest, pk: int) -> HttpResponse:
    round = _round(request, pk)
    _require(can_manage_testing(request.user))
    try:
        rounds.set_status(round, request.POST.get("status", ""))
    except (RoundError, ValueError) as exc:
        messages.error(request, str(exc))
    return redirect("testing:round", round.pk)


@page(Perm.VIEW_PLACES)
@require_POST
def round_point_add(request: HttpRequest, pk: int) -> HttpResponse:
    round = _round(request, pk)
    _require(can_manage_testing(request.user))
    user = request.user
    form = forms.RoundPointForm(
        request.POST,
        points=TestPoint.objects.visible_to(user).filter(active=True),
        places=overview.scope_places(round, user),
    )
    if form.is_valid():
        data = form.cleaned_data
        try:
            rounds.attach_point(round, data["point"], data["serves"], data["samplers"])
        except RoundError as exc:
            messages.error(request, str(exc))
        else:
            messages.success(request, _("已加入采样点“%(name)s”") % {"name": data["point"].name})
    else:
        messages.error(request, _("请选择采样点"))
    return redirect("testing:round", round.pk)


@page(Perm.VIEW_PLACES)
def round_points_import(request: HttpRequest, pk: int) -> HttpResponse:
    """The round's test points from a spreadsheet (the page twin of `tongxin testing
    import-points`): a dry run first, then the import, with every row's reason shown."""
    round = _round(request, pk)
    _require(can_manage_testing(request.user))
    context = _common(request, round)
    if request.method == "POST":
        upload = request.FILES.get("file")
        dry_run = bool(request.POST.get("dry_run"))
        try:
            if upload is None:
                raise ImportFileError(_("请选择要导入的文件（.xlsx 或 .csv）"))
            result = import_points_upload(round, upload, user=request.user, dry_run=dry_run)
        except (ImportFileError, UploadRejected, RoundError) as exc:
            context["error"] = str(exc)
        else:
            context.update(result=result, dry_run=dry_run)
    return render(request, "testing/points_import.html", context)


# --- points ---------------------------------------------------------------------------------


@page(Perm.VIEW_PLACES)
def point_list(request: HttpRequest) -> HttpResponse:
    context = _common(request)
    context["points"] = (
        TestPoint.objects.visible_to(request.user).select_related("place").order_by("name")
    )
    return render(request, "testing/point_list.html", context)


@page(Perm.VIEW_PLACES)
def point_create(request: HttpRequest) -> HttpResponse:
    _require(can_manage_testing(request.user))
    form = forms.PointForm(request.POST or None, places=Place.objects.visible_to(request.user))
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            point = rounds.create_point(
                data["name"],
                data["place"],
                data["opens_at"],
                data["closes_at"],
                data["samplers"],
                address=data["address"],
            )
        except RoundError as exc:
            form.add_error(None, str(exc))
        else:
            return redirect("testing:point", point.pk)
    context = _common(request)
    context["form"] = form
    return render(request, "testing/point_form.html", context)


@page(Perm.VIEW_PLACES)
def point_detail(request: HttpRequest, pk: int) -> HttpResponse:
    point = get_object_or_404(
        TestPoint.objects.visible_to(request.user).select_related("place"), pk=pk
    )
    work = []
    visible_rounds = TestRound.objects.visible_to(request.user)
    for rp in (
        RoundPoint.objects.filter(point=point, round__in=visible_rounds)
        .select_related("round")
        .prefetch_related("serves")
        .order_by("-round__starts_at")
    ):
        slots = list(
            PlanSlot.objects.visible_to(request.user)
            .filter(round_point=rp, starts_at__isnull=False)
            .select_related("place__parent")
            .order_by("starts_at")
        )
        work.append({"round_point": rp, "slots": slots, "people": sum(s.people for s in slots)})
    context = _common(request)
    context.update({"point": point, "work": work})
    return render(request, "testing/point_detail.html", context)


# --- plan -----------------------------------------------------------------------------------


def _estimate_for(round: TestRound, summary: dict[str, Any]) -> planner.Estimate | None:
    hours = rounds.hours_between(round.starts_at, round.deadline)
    if hours <= 0:
        return None
    return planner.estimate(
        int(summary.get("people") or 0),
        hours,
        per_sampler_hour=rounds.people_per_sampler_hour(round),
        people_per_point=rounds.people_per_point(round.incident),
    )


@page(Perm.VIEW_PLACES)
def plan_page(request: HttpRequest, pk: int) -> HttpResponse:
    round = _round(request, pk)
    user = request.user
    by = "building" if request.GET.get("by") == "building" else "point"
    plan = getattr(round, "plan", None)
    context = _common(request, round)
    summary = plan.summary if plan else {}
    round_points = {rp.pk: rp for rp in overview.round_points(round, user)}
    visible_slots = set(
        PlanSlot.objects.visible_to(user).filter(round=round).values_list("pk", flat=True)
    )
    context.update(
        {
            "plan": plan,
            "by": by,
            "summary": summary,
            "estimate": _estimate_for(round, summary) if plan else None,
            # A unit sees the warnings about its own buildings, and the overloads of the
            # points its buildings go to.
            "warnings": [
                w
                for w in plans.check_plan(round)
                if w.slot_id in visible_slots
                or (w.slot_id is None and w.round_point_id in round_points)
            ]
            if plan
            else [],
            "shortfalls": [
                {"round_point": round_points[int(k)], **v}
                for k, v in summary.get("points", {}).items()
                if int(k) in round_points and v.get("unplaced_units")
            ],
        }
    )
    if plan:
        if by == "point":
            context["points"] = [
                row
                for row in plans.schedule_by_point(round, user)
                if row["round_point"].pk in round_points
            ]
            context["unplaced"] = plans.unplaced_slots(round, user)
        else:
            context["slots"] = plans.schedule_by_building(round, user)
    return render(request, "testing/plan.html", context)


@page(Perm.VIEW_PLACES)
@require_POST
def plan_run(request: HttpRequest, pk: int) -> HttpResponse:
    round = _round(request, pk)
    _require(can_manage_testing(request.user))
    try:
        made = plans.make_plan(round, by=request.user)
    except RoundError as exc:
        messages.error(request, str(exc))
    else:
        summary = made.plan.summary
        if made.plan.feasible:
            messages.success(
                request,
                _("已编排 %(units)d 个楼栋/单元，%(people)d 人，能在完成时限前完成")
                % {"units": summary["units"], "people": summary["people"]},
            )
        else:
            messages.warning(
                request,
                _(
                    "按现有采样力量无法在时限前完成：还需增加 %(samplers)d 名采样人员，"
                    "或延长 %(hours)d 小时"
                )
                % {"samplers": summary["extra_samplers"], "hours": summary["extra_hours"]},
            )
    return redirect("testing:plan", round.pk)


@page(Perm.VIEW_PLACES)
def slot_move(request: HttpRequest, pk: int, slot_pk: int) -> HttpResponse:
    """GET: the adjustment form for one building (an htmx fragment); POST: move it."""
    round = _round(request, pk)
    slot = plans.visible_slot(request.user, round, slot_pk)
    _require(can_plan(request.user) and round.status != RoundStatus.CLOSED)
    round_points = RoundPoint.objects.filter(round=round).select_related("point")
    initial = {
        "round_point": slot.round_point_id,
        "starts_at": timezone.localtime(slot.starts_at) if slot.starts_at else round.starts_at,
    }
    form = forms.MoveSlotForm(request.POST or None, round_points=round_points, initial=initial)
    context = _common(request, round)
    context.update({"slot": slot, "form": form, "by": request.GET.get("by", "point")})
    if request.method == "POST" and form.is_valid():
        moved = plans.move_slot(
            slot, form.cleaned_data["round_point"], form.cleaned_data["starts_at"], by=request.user
        )
        context.update({"slot": moved.slot, "warnings": moved.warnings, "moved": True})
        if not is_fragment_request(request):
            for warning in moved.warnings:
                messages.warning(request, warning.message)
            if not moved.warnings:
                messages.success(request, _("已调整，采样能力足够"))
            return redirect(reverse("testing:plan", args=[round.pk]) + f"?by={context['by']}")
        return render(request, "testing/_slot_row.html", context)
    template = "testing/_slot_form.html" if is_fragment_request(request) else "testing/slot.html"
    return render(request, template, context)


@page(Perm.VIEW_PLACES)
def calculator(request: HttpRequest) -> HttpResponse:
    """How many points and samplers for so many people in so many hours."""
    incident = Incident.objects.visible_to(request.user).open().first()
    edition = incident.policy_edition if incident else None
    rate = edition.rule("mass_testing", "people_per_sampler_hour", default=30) if edition else 30
    per_point = edition.rule("mass_testing", "people_per_point", default=2500) if edition else 2500
    initial = {"people": 10000, "hours": 12, "per_sampler_hour": rate}
    form = forms.CalculatorForm(request.GET or None, initial=initial)
    result = None
    if form.is_valid():
        data = form.cleaned_data
        result = planner.estimate(
            data["people"],
            data["hours"],
            per_sampler_hour=data["per_sampler_hour"],
            people_per_point=per_point,
            samplers_per_point=data["samplers_per_point"],
        )
    elif not request.GET:
        result = planner.estimate(10000, 12, per_sampler_hour=rate, people_per_point=per_point)
    context = _common(request)
    context.update({"form": form, "result": result})
    return render(request, "testing/calculator.html", context)


# --- reminders ------------------------------------------------------------------------------


def _cadre(request: HttpRequest) -> User | None:
    wanted = request.GET.get("cadre", "")
    if not wanted.isdigit():
        return None
    return get_object_or_404(User.objects.visible_to(request.user), pk=int(wanted))


@page(Perm.VIEW_PLACES)
def reminder_list(request: HttpRequest, pk: int) -> HttpResponse:
    """A cadre's own list (phones in clear, audited); a leader's overview of every cadre's
    progress, and any one cadre's list masked."""
    round = _round(request, pk)
    user = request.user
    context = _common(request, round)
    cadre = _cadre(request)
    if cadre is None:
        mine = reminders.reminder_groups(round, user, only_mine=True)
        if mine:
            context.update({"groups": mine, "view": "mine"})
        else:
            context.update({"overview": reminders.reminder_overview(round, user), "view": "all"})
    else:
        context.update(
            {"groups": reminders.reminder_groups(round, user, cadre=cadre), "view": "cadre"}
        )
    context.update({"cadre": cadre, "statuses": ReminderStatus})
    return render(request, "testing/reminders.html", context)


@page(Perm.VIEW_PLACES)
@require_POST
def reminder_mark(request: HttpRequest, pk: int) -> HttpResponse:
    round = _round(request, pk)
    _require(can_remind(request.user))
    household = request.POST.get("household", "")
    if not household.isdigit():
        raise Http404
    try:
        entry = reminders.mark(
            round,
            request.user,
            int(household),
            request.POST.get("status", ""),
            request.POST.get("note", ""),
        )
    except RoundError as exc:
        messages.error(request, str(exc))
        return redirect("testing:reminders", round.pk)
    if is_fragment_request(request):
        return render(
            request,
            "testing/_reminder_status.html",
            {
                "round": round,
                "household_id": entry.household_id,
                "status": entry.status,
                "status_label": entry.get_status_display(),
                "can_remind": True,
            },
        )
    return redirect(request.POST.get("next") or reverse("testing:reminders", args=[round.pk]))


@page(Perm.VIEW_PLACES)
@require_POST
def reminder_send(request: HttpRequest, pk: int, slot_pk: int) -> HttpResponse:
    round = _round(request, pk)
    _require(can_remind(request.user))
    slot = plans.visible_slot(request.user, round, slot_pk)
    try:
        result = reminders.send_slot_reminders(round, request.user, slot)
    except RoundError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(
            request,
            _("已向 %(households)d 户（%(phones)d 个号码）发送提醒短信，并通知包楼干部和单位工作群")
            % {"households": result.households, "phones": result.phones},
        )
    return redirect(request.POST.get("next") or reverse("testing:reminders", args=[round.pk]))


# --- exemptions -----------------------------------------------------------------------------


@page(Perm.VIEW_RESIDENTS)
def exemption_list(request: HttpRequest, pk: int) -> HttpResponse:
    round = _round(request, pk)
    user = request.user
    context = _common(request, round)
    results: list[Person] = []
    search_form = forms.SearchForm(request.POST if "q" in request.POST else None)
    if request.method == "POST" and "q" not in request.POST:
        _require(can_remind(user))
        person_id = request.POST.get("person", "")
        form = forms.ExemptionForm(request.POST)
        person = None
        if person_id.isdigit():
            person = (
                should_test(round)
                .filter(pk__in=Person.objects.visible_to(user).values("pk"))
                .filter(pk=int(person_id))
                .select_related("household")
                .first()
            )
        if person is None:
            raise Http404
        if request.POST.get("revoke") == "1":
            rounds.revoke_exemption(round, person)
            messages.success(request, _("已撤销 %(name)s 的免检") % {"name": person.name})
        elif form.is_valid():
            try:
                rounds.exempt(
                    round, person, form.cleaned_data["reason"], form.cleaned_data["note"], by=user
                )
            except RoundError as exc:
                messages.error(request, str(exc))
            else:
                messages.success(request, _("已登记 %(name)s 的免检原因") % {"name": person.name})
        return redirect("testing:exemptions", round.pk)
    if search_form.is_bound and search_form.is_valid():
        _require(can_remind(user))
        visible = Person.objects.visible_to(user).for_list()
        results = list(
            search(
                visible.filter(pk__in=should_test(round).values("pk")),
                search_form.cleaned_data["q"],
            )[:20]
        )
    context.update(
        {
            "exemptions": Exemption.objects.visible_to(user)
            .filter(round=round)
            .select_related("person__household", "created_by")
            .defer("person__document_number", "person__phone")
            .order_by("reason", "person__household__path"),
            "search_form": search_form,
            "results": results,
            "exemption_form": forms.ExemptionForm(),
        }
    )
    return render(request, "testing/exemptions.html", context)
