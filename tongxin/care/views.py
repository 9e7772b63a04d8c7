"""Registry and green-channel pages. Views translate requests into service calls; everything
they show comes through `visible_to(user)`; outside the user's jurisdiction is 404.

Every page carries the emergency rule (NO_TEST_REQUIRED_NOTICE) as a banner.
"""

import datetime as dt
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.dateparse import parse_date
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from tongxin.accounts.jurisdiction import jurisdiction_of
from tongxin.accounts.models import User
from tongxin.care.forms import ArrangeForm, CapacityForm, EndNeedForm, NeedForm, SlotForm, StopForm
from tongxin.care.models import (
    GreenRun,
    Hospital,
    HospitalSlot,
    NeedKind,
    PassengerStatus,
    RunPassenger,
    RunStop,
)
from tongxin.care.services import NO_TEST_REQUIRED_NOTICE, special_population_counts
from tongxin.care.services import registry as reg
from tongxin.care.services import runs as rs
from tongxin.care.services import slots as sl
from tongxin.care.services.access import (
    can_manage_slots,
    can_plan_runs,
    can_view_care,
    can_view_runs,
)
from tongxin.places.models import Place, PlaceKind
from tongxin.places.services import county
from tongxin.web.decorators import is_fragment_request, page

LIST_KINDS = (PlaceKind.TOWNSHIP, PlaceKind.COMMUNITY, PlaceKind.ESTATE)


def _render(
    request: HttpRequest, template: str, context: dict[str, Any], **kw: Any
) -> HttpResponse:
    context.setdefault("notice", NO_TEST_REQUIRED_NOTICE)
    context.setdefault("can_plan", can_plan_runs(request.user))
    context.setdefault("can_view_care", can_view_care(request.user))
    return render(request, template, context, **kw)


def _date(raw: str | None, default: dt.date) -> dt.date:
    parsed = parse_date(raw or "") if raw else None
    return parsed or default


def _require(allowed: bool) -> None:
    if not allowed:
        raise PermissionDenied


# --- registry --------------------------------------------------------------------------------


@page()
def registry(request: HttpRequest) -> HttpResponse:
    """The registry per estate or township, filtered by need. Lists show tags, never details."""
    _require(can_view_care(request.user))
    areas = Place.objects.visible_to(request.user).filter(kind__in=LIST_KINDS)
    area = None
    raw_area = request.GET.get("area", "")
    if raw_area.isdigit():
        area = get_object_or_404(areas, pk=int(raw_area))
    kind = request.GET.get("kind", "")
    if kind not in NeedKind.values:
        kind = ""
    rows = reg.registry_rows(request.user, place=area, kind=kind)
    page_obj = Paginator(rows, 50).get_page(request.GET.get("page"))
    scope = area or _home_place(request.user)
    counts = special_population_counts(scope, request.user) if scope is not None else {}
    return _render(
        request,
        "care/registry.html",
        {
            "tab": "registry",
            "areas": areas.only("pk", "name", "depth", "kind", "path"),
            "area": area,
            "kind": kind,
            "kinds": NeedKind.choices,
            "page_obj": page_obj,
            "counts": counts,
        },
    )


def _home_place(user: Any) -> Place | None:
    jurisdiction = jurisdiction_of(user)
    if jurisdiction.everywhere:
        return county()
    if len(jurisdiction.paths) == 1:
        return Place.objects.filter(path=jurisdiction.paths[0]).first()
    return None


@page()
def person_care(request: HttpRequest, pk: int) -> HttpResponse:
    """A resident's care record, its history and upcoming green-channel trips (audited)."""
    record = reg.view_care_record(request.user, pk)
    trips = (
        RunPassenger.objects.filter(
            person=record.person,
            run__in=rs.visible_runs(request.user),
            run__date__gte=timezone.localdate(),
        )
        .select_related("run__hospital", "stop", "slot")
        .order_by("run__date")[:10]
    )
    return _render(
        request,
        "care/person.html",
        {
            "tab": "registry",
            "person": record.person,
            "household": record.person.household,
            "needs": record.needs,
            "history": record.history,
            "can_edit": record.can_edit,
            "trips": trips,
            # One current record per kind: the others are changed, not added again.
            "kinds": [
                (code, label)
                for code, label in NeedKind.choices
                if code not in {n.kind for n in record.needs if n.ended_on is None}
            ],
        },
    )


@page()
def add_need(request: HttpRequest, pk: int) -> HttpResponse:
    person = reg.get_visible_care_person(request.user, pk)
    _require(reg.manageable_people(request.user).filter(pk=person.pk).exists())
    kind = request.GET.get("kind", "")
    context: dict[str, Any] = {"tab": "registry", "person": person, "kinds": NeedKind.choices}
    if kind not in NeedKind.values:
        return _render(request, "care/need_form.html", context)
    form = NeedForm(request.POST or None, kind=kind)
    if request.method == "POST" and form.is_valid():
        try:
            reg.add_need(request.user, person, kind, **form.values())
        except reg.CareError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, _("已登记"))
            return redirect("care:person", person.pk)
    kind_label = NeedKind(kind).label
    return _render(
        request, "care/need_form.html", {**context, "form": form, "kind_label": kind_label}
    )


@page()
def edit_need(request: HttpRequest, pk: int) -> HttpResponse:
    need = reg.get_manageable_need(request.user, pk)
    person = need.person
    _require(reg.manageable_people(request.user).filter(pk=person.pk).exists())
    initial = {
        "kind": need.kind, "hospital": need.hospital, "weekdays": list(need.weekdays),
        "session_time": need.session_time, "due_date": need.due_date, "medicine": need.medicine,
        "frequency": need.frequency, "details": need.details, "notes": need.notes,
    }  # fmt: skip
    form = NeedForm(request.POST or None, initial=initial, kind=need.kind)
    if request.method == "POST" and form.is_valid():
        try:
            reg.update_need(request.user, need, **form.values())
        except reg.CareError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, _("已保存"))
            return redirect("care:person", person.pk)
    end_form = EndNeedForm()
    return _render(
        request,
        "care/need_form.html",
        {
            "tab": "registry",
            "person": person,
            "form": form,
            "need": need,
            "end_form": end_form,
            "kind_label": need.get_kind_display(),
        },
    )


@require_POST
@page()
def end_need(request: HttpRequest, pk: int) -> HttpResponse:
    need = reg.get_manageable_need(request.user, pk)
    form = EndNeedForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("请填写结束原因"))
        return redirect("care:edit_need", need.pk)
    try:
        reg.end_need(request.user, need, reason=form.cleaned_data["reason"])
    except reg.NotAllowed as exc:
        raise PermissionDenied from exc
    messages.success(request, _("登记已结束"))
    return redirect("care:person", need.person_id)


# --- green-channel runs ----------------------------------------------------------------------


def _townships(user: Any) -> list[Place]:
    return list(Place.objects.visible_to(user).filter(kind=PlaceKind.TOWNSHIP).order_by("path"))


@page()
def run_list(request: HttpRequest) -> HttpResponse:
    """The runs of a day (tomorrow by default) and the button that builds them from the registry."""
    user = request.user
    # Open to every signed-in user: a driver sees their own runs, others what their
    # jurisdiction covers, the rest an empty day.
    visible = rs.visible_runs(user)
    date = _date(request.GET.get("date"), rs.tomorrow())
    day_runs = (
        visible.filter(date=date)
        .select_related("township", "hospital", "driver", "escort")
        .order_by("township__path", "hospital__name")
    )
    counts = {
        r["run"]: r
        for r in RunPassenger.objects.filter(run__in=day_runs)
        .values("run")
        .annotate(**_status_counts())
    }
    return _render(
        request,
        "care/runs.html",
        {
            "tab": "runs",
            "date": date,
            "prev": date - dt.timedelta(days=1),
            "next": date + dt.timedelta(days=1),
            "runs": [(run, counts.get(run.pk, {})) for run in day_runs],
            "townships": _townships(user) if can_plan_runs(user) else [],
            "weekday": date.isoweekday(),
        },
    )


def _status_counts() -> dict[str, Any]:
    from django.db.models import Count, Q

    return {
        "total": Count("id"),
        "door": Count("id", filter=Q(at_door=True)),
        "unbooked": Count("id", filter=Q(slot__isnull=True)),
        "absent": Count("id", filter=Q(status=PassengerStatus.ABSENT)),
    }


@require_POST
@page()
def plan(request: HttpRequest) -> HttpResponse:
    user = request.user
    _require(can_plan_runs(user))
    date = _date(request.POST.get("date"), rs.tomorrow())
    raw = request.POST.get("township", "")
    total = rs.plan_runs_for(user, date, int(raw) if raw.isdigit() else None)
    messages.success(request, _("名单已按登记生成：%(result)s") % {"result": total})
    return redirect(f"{_url('care:runs')}?date={date.isoformat()}")


def _url(name: str, *args: Any) -> str:
    from django.urls import reverse

    return reverse(name, args=args)


def _staff_for(user: Any) -> Any:
    return User.objects.visible_to(user).filter(is_active=True).order_by("full_name", "username")


@page()
def run_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """Planning one run: crew, departure, pick-up points and times, hospital slots."""
    run = rs.get_visible_run(request.user, pk)
    planner = can_plan_runs(request.user)
    if not planner:
        return redirect("care:manifest", run.pk)
    form = ArrangeForm(
        request.POST or None,
        staff=_staff_for(request.user),
        initial={
            "vehicle": run.vehicle,
            "driver": run.driver,
            "escort": run.escort,
            "departs_at": run.departs_at,
            "notes": run.notes,
        },
    )
    if request.method == "POST" and form.is_valid():
        try:
            rs.arrange(request.user, run, **form.cleaned_data)
        except reg.NotAllowed as exc:
            raise PermissionDenied from exc
        messages.success(request, _("已保存"))
        return redirect("care:run", run.pk)
    run, passengers = rs.open_manifest(request.user, pk)
    stops = [
        (s, StopForm(initial={"name": s.name, "pickup_time": s.pickup_time}, prefix=f"s{s.pk}"))
        for s in run.stops.order_by("order", "id")
    ]
    slots = list(sl.slots_on(run.hospital, run.date))
    return _render(
        request,
        "care/run.html",
        {
            "tab": "runs",
            "run": run,
            "form": form,
            "stops": stops,
            "passengers": passengers,
            "slots": slots,
        },
    )


@require_POST
@page()
def edit_stop(request: HttpRequest, pk: int) -> HttpResponse:
    stop = get_object_or_404(
        RunStop.objects.filter(run__in=rs.visible_runs(request.user)).select_related("run"), pk=pk
    )
    form = StopForm(request.POST, prefix=f"s{stop.pk}")
    if form.is_valid():
        try:
            rs.set_stop(request.user, stop, **form.cleaned_data)
        except reg.NotAllowed as exc:
            raise PermissionDenied from exc
        except reg.CareError as exc:
            messages.error(request, str(exc))
        else:
            messages.success(request, _("上车点已保存"))
    else:
        messages.error(request, _("请检查上车点名称和时间"))
    return redirect("care:run", stop.run_id)


@require_POST
@page()
def book_slot(request: HttpRequest, pk: int) -> HttpResponse:
    passenger = get_object_or_404(
        RunPassenger.objects.filter(run__in=rs.visible_runs(request.user)).select_related(
            "run", "need"
        ),
        pk=pk,
    )
    _require(can_plan_runs(request.user))
    raw = request.POST.get("slot", "")
    try:
        if raw.isdigit():
            slot = get_object_or_404(
                HospitalSlot, pk=int(raw), hospital=passenger.run.hospital, date=passenger.run.date
            )
            sl.book(passenger, slot)
        else:
            sl.release(passenger)
    except reg.CareError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, _("就诊时段已更新"))
    return redirect("care:run", passenger.run_id)


@page()
def manifest(request: HttpRequest, pk: int) -> HttpResponse:
    """The crew's phone page: who to pick up where and when, with check-off buttons."""
    run, passengers = rs.open_manifest(request.user, pk)
    return _render(
        request,
        "care/manifest.html",
        {
            "tab": "runs",
            "run": run,
            "passengers": passengers,
            "can_check": rs.can_check_off(request.user, run),
        },
    )


@require_POST
@page()
def call(request: HttpRequest, pk: int) -> HttpResponse:
    """The crew taps "拨打": the number is revealed (audited) as a tel: link."""
    try:
        phone = rs.reveal_passenger_phone(request.user, pk)
    except reg.NotAllowed as exc:
        raise PermissionDenied(str(exc)) from exc
    context = {"pk": pk, "phone": phone}
    if is_fragment_request(request):
        return render(request, "care/_call.html", context)
    passenger = get_object_or_404(RunPassenger, pk=pk)
    return _render(request, "care/call.html", {**context, "run_id": passenger.run_id})


@require_POST
@page()
def check(request: HttpRequest, pk: int, stage: str) -> HttpResponse:
    if stage not in (rs.Stage.PICKUP, rs.Stage.ARRIVAL, rs.Stage.ABSENT, rs.Stage.UNDO):
        raise Http404(stage)
    try:
        passenger, changed = rs.check_off(request.user, pk, stage)
    except reg.NotAllowed as exc:
        raise PermissionDenied from exc
    passenger = rs.passengers_of(passenger.run).get(pk=passenger.pk)
    run = GreenRun.objects.get(pk=passenger.run_id)
    context = {"p": passenger, "run": run, "can_check": True, "changed": changed, "oob": True}
    if is_fragment_request(request):
        return _render(request, "care/_passenger.html", context)
    return redirect("care:manifest", passenger.run_id)


# --- hospital slots --------------------------------------------------------------------------


@page()
def slot_board(request: HttpRequest) -> HttpResponse:
    """A hospital's green-channel slots on a date: windows, areas, capacity and who is booked."""
    user = request.user
    _require(can_view_runs(user))
    hospitals = list(Hospital.objects.all())
    raw = request.GET.get("hospital") or request.POST.get("hospital") or ""
    hospital = (
        get_object_or_404(Hospital, pk=int(raw))
        if raw.isdigit()
        else (hospitals[0] if hospitals else None)
    )
    date = _date(request.GET.get("date") or request.POST.get("date"), rs.tomorrow())
    form = SlotForm(request.POST or None)
    if request.method == "POST":
        _require(can_manage_slots(user))
        if hospital is not None and form.is_valid():
            try:
                sl.add_slot(hospital, date, user=user, **form.cleaned_data)
            except reg.CareError as exc:
                form.add_error(None, str(exc))
            else:
                messages.success(request, _("时段已添加"))
                return redirect(
                    f"{_url('care:slots')}?hospital={hospital.pk}&date={date.isoformat()}"
                )
    board = []
    if hospital is not None:
        board = [
            (slot, riders, CapacityForm(initial={"capacity": slot.capacity}, prefix=f"c{slot.pk}"))
            for slot, riders in rs.slot_board(user, hospital, date)
        ]
    return _render(
        request,
        "care/slots.html",
        {
            "tab": "slots",
            "hospitals": hospitals,
            "hospital": hospital,
            "date": date,
            "prev": date - dt.timedelta(days=1),
            "next": date + dt.timedelta(days=1),
            "board": board,
            "form": form,
            "can_manage": can_manage_slots(user),
        },
    )


@require_POST
@page()
def slot_capacity(request: HttpRequest, pk: int) -> HttpResponse:
    _require(can_manage_slots(request.user))
    slot = get_object_or_404(HospitalSlot, pk=pk)
    form = CapacityForm(request.POST, prefix=f"c{slot.pk}")
    if form.is_valid():
        try:
            sl.set_capacity(slot, form.cleaned_data["capacity"], user=request.user)
        except reg.CareError as exc:
            messages.error(request, str(exc))
        else:
            messages.success(request, _("容量已更新"))
    return redirect(
        f"{_url('care:slots')}?hospital={slot.hospital_id}&date={slot.date.isoformat()}"
    )
