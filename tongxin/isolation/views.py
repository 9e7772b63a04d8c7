"""Isolation and transfer pages. Views translate requests into service calls; everything they
show comes through `visible_to(user)`; outside the user's reach is 404."""

import uuid
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db.models import Count
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from tongxin.accounts.models import Role, User
from tongxin.accounts.permissions import Perm
from tongxin.audit.services import record_export, record_view
from tongxin.incidents.models import Incident
from tongxin.isolation.models import (
    Batch,
    BatchMember,
    ContactMethod,
    Level,
    Outcome,
    Room,
    RoomStatus,
    Site,
    Stay,
    StayStatus,
    TransferEntry,
)
from tongxin.isolation.services import IsolationError
from tongxin.isolation.services import batches as bs
from tongxin.isolation.services import home as hs
from tongxin.isolation.services import stays as ss
from tongxin.isolation.services import transfer_list as tl
from tongxin.isolation.services.allocation import allocate_batch
from tongxin.isolation.services.insite import can_sample_in_site
from tongxin.isolation.services.sites import board, change_room_status, visible_site
from tongxin.people.models import DocumentType, Person
from tongxin.web.decorators import page


def _require(allowed: bool) -> None:
    if not allowed:
        raise PermissionDenied


def _incident(request: HttpRequest) -> Incident | None:
    raw = request.GET.get("incident") or request.POST.get("incident") or ""
    if raw.isdigit():
        return get_object_or_404(Incident, pk=int(raw))
    return Incident.objects.open().order_by("-started_at").first()


def _flash_error(request: HttpRequest, exc: Exception) -> None:
    messages.error(request, str(exc))


# --- the board and sites ----------------------------------------------------------------------


@page(Perm.WORK_ISOLATION)
def index(request: HttpRequest) -> HttpResponse:
    user = request.user
    planner = bs.is_planner(user)
    batches = (
        Batch.objects.visible_to(user)
        .exclude(status="closed")
        .select_related("site")
        .annotate(n=Count("members"))
        .order_by("planned_at")[:50]
    )
    return render(
        request,
        "isolation/index.html",
        {
            "board": board(user),
            "batches": batches,
            "planner": planner,
            "tab": "board",
        },
    )


@page(Perm.WORK_ISOLATION)
def site_detail(request: HttpRequest, pk: int) -> HttpResponse:
    site = visible_site(request.user, pk)
    rooms = list(site.rooms.order_by("floor", "number"))
    in_room = {
        s.room_id: s
        for s in Stay.objects.filter(
            site=site, in_room=True, companion_of__isnull=True
        ).select_related("entry")
    }
    floors: dict[int, list[dict[str, Any]]] = {}
    for room in rooms:
        floors.setdefault(room.floor, []).append({"room": room, "stay": in_room.get(room.pk)})
    flags = site.floor_flags.filter(cleared_at__isnull=True)
    return render(
        request,
        "isolation/site.html",
        {
            "site": site,
            "floors": sorted(floors.items()),
            "flags": flags,
            "statuses": RoomStatus.choices,
            "can_work": ss.can_work_site(request.user, site),
            "can_sample": can_sample_in_site(request.user, site),
            "tab": "board",
        },
    )


@require_POST
@page(Perm.WORK_ISOLATION)
def room_status(request: HttpRequest, pk: int) -> HttpResponse:
    room = get_object_or_404(Room.objects.visible_to(request.user), pk=pk)
    _require(ss.can_work_site(request.user, room.site))
    try:
        change_room_status(
            request.user, room, request.POST.get("status", ""), request.POST.get("reason", "")
        )
    except IsolationError as exc:
        _flash_error(request, exc)
    return redirect("isolation:site", room.site_id)


# --- the transfer list ------------------------------------------------------------------------


@page(Perm.PLAN_TRANSFERS)
def transfer_list(request: HttpRequest) -> HttpResponse:
    incident = _incident(request)
    entries = tl.transfer_list(request.user, incident) if incident else []
    groups = tl.households(entries)
    sites = Site.objects.visible_to(request.user).filter(active=True)
    escorts = User.objects.filter(role=Role.TRANSFER, is_active=True).order_by("full_name")
    return render(
        request,
        "isolation/transfer_list.html",
        {
            "incident": incident,
            "groups": groups,
            "sites": sites,
            "escorts": escorts,
            "levels": [(v, lbl) for v, lbl in Level.choices if v != Level.COMPANION],
            "tab": "list",
            "now": timezone.localtime().strftime("%Y-%m-%dT%H:%M"),
        },
    )


def _find_person(request: HttpRequest, number: str) -> Person | None:
    number = number.strip().upper()
    if not number:
        return None
    return (
        Person.objects.visible_to(request.user)
        .with_document(DocumentType.RESIDENT_ID, number)
        .select_related("household")
        .first()
    )


@require_POST
@page(Perm.PLAN_TRANSFERS)
def add_entry(request: HttpRequest) -> HttpResponse:
    incident = _incident(request)
    if incident is None:
        raise Http404
    person = _find_person(request, request.POST.get("document_number", ""))
    if person is None:
        messages.error(request, _("居民名单中找不到该证件号码"))
        return redirect("isolation:transfer_list")
    needs: dict[str, Any] = {
        k: request.POST.get(k, "") for k in ("pets", "medicine_to_bring", "notes")
    }
    needs["wheelchair"] = bool(request.POST.get("wheelchair"))
    needs["elderly_alone"] = bool(request.POST.get("elderly_alone"))
    try:
        source = request.POST.get("source", "manual")
        if source == "arrival":
            arrived = parse_datetime(request.POST.get("arrived_at", "")) or timezone.now()
            if timezone.is_naive(arrived):
                arrived = timezone.make_aware(arrived)
            tl.add_arrival(
                request.user, incident, person, origin=request.POST.get("origin", ""),
                arrived_at=arrived, **{k: v for k, v in needs.items() if v},
            )  # fmt: skip
        else:
            listed = tl.list_person(
                request.user, incident, person, level=request.POST.get("level", "close"),
                reason=request.POST.get("reason", "") or _("手工添加"),
                **{k: v for k, v in needs.items() if v},
            )  # fmt: skip
            if not isinstance(listed, TransferEntry):
                messages.success(
                    request,
                    _("按现行方案居家隔离，已列入网格居家名单：%(name)s") % {"name": person.name},
                )
                return redirect("isolation:transfer_list")
        messages.success(request, _("已加入待转运名单：%(name)s") % {"name": person.name})
    except IsolationError as exc:
        _flash_error(request, exc)
    return redirect("isolation:transfer_list")


@require_POST
@page(Perm.PLAN_TRANSFERS)
def add_companion(request: HttpRequest, pk: int) -> HttpResponse:
    entry = get_object_or_404(TransferEntry.objects.visible_to(request.user), pk=pk)
    person = _find_person(request, request.POST.get("document_number", ""))
    if person is None:
        messages.error(request, _("居民名单中找不到该证件号码"))
    else:
        try:
            tl.add_companion(request.user, entry, person)
        except IsolationError as exc:
            _flash_error(request, exc)
    return redirect("isolation:transfer_list")


@require_POST
@page(Perm.PLAN_TRANSFERS)
def create_batch(request: HttpRequest) -> HttpResponse:
    incident = _incident(request)
    if incident is None:
        raise Http404
    ids = [int(x) for x in request.POST.getlist("entries") if x.isdigit()]
    entries = list(TransferEntry.objects.visible_to(request.user).filter(pk__in=ids))
    site = get_object_or_404(Site.objects.visible_to(request.user), pk=request.POST.get("site"))
    escort = User.objects.filter(pk=request.POST.get("escort") or 0, is_active=True).first()
    planned = parse_datetime(request.POST.get("planned_at", "")) or timezone.now()
    if timezone.is_naive(planned):
        planned = timezone.make_aware(planned)
    try:
        seats = int(request.POST.get("seats") or 0)
        batch = bs.create_batch(
            request.user, incident, site, entries,
            vehicle_plate=request.POST.get("vehicle_plate", "").strip(), seats=seats,
            planned_at=planned, escort=escort,
            driver_name=request.POST.get("driver_name", "").strip(),
            driver_phone=request.POST.get("driver_phone", "").strip(),
        )  # fmt: skip
    except (IsolationError, ValueError) as exc:
        _flash_error(request, exc)
        return redirect("isolation:transfer_list")
    return redirect("isolation:batch", batch.pk)


# --- batches ----------------------------------------------------------------------------------


def _members(batch: Batch) -> list[BatchMember]:
    return list(
        batch.members.select_related("entry")
        .annotate(n_contacts=Count("contacts"))
        .order_by("stop", "pk")
    )


@page(Perm.WORK_ISOLATION)
def batch_detail(request: HttpRequest, pk: int) -> HttpResponse:
    batch = bs.visible_batch(request.user, pk)
    members = _members(batch)
    stays = {
        s.member_id: s
        for s in Stay.objects.filter(member__batch=batch, in_room=True).select_related("room")
    }
    return render(
        request,
        "isolation/batch.html",
        {
            "batch": batch,
            "rows": [{"m": m, "stay": stays.get(m.pk)} for m in members],
            "counts": bs.reconcile(batch).as_dict(),
            "crew": bs.can_check_in(request.user, batch),
            "site_side": bs.can_receive(request.user, batch),
            "planner": bs.is_planner(request.user),
            "disinfections": batch.disinfections.all(),
            "tab": "board",
        },
    )


@page(Perm.WORK_ISOLATION)
def pickup(request: HttpRequest, pk: int) -> HttpResponse:
    """The escort's phone page: tick or scan each person, log contacts; queued offline."""
    batch = bs.visible_batch(request.user, pk)
    _require(bs.can_check_in(request.user, batch))
    members = _members(batch)
    return render(
        request,
        "isolation/pickup.html",
        {
            "batch": batch,
            "members": members,
            "counts": bs.reconcile(batch).as_dict(),
            "outcomes": [(v, lbl) for v, lbl in Outcome.choices if v != Outcome.PENDING],
            "methods": ContactMethod.choices,
            "config": {
                "batch": batch.pk,
                "url": f"/api/v1/isolation/batches/{batch.pk}/checkins",
                "storage": f"tongxin.pickup.{batch.pk}",
            },
            "texts": {
                "outcomes": dict(Outcome.choices),
                "online": _("在线"),
                "offline": _("离线，已暂存"),
                "need_reason": _("请先填写原因"),
                "need_result": _("请填写联系结果"),
                "not_found": _("本批次名单中没有该证件"),
                "saved": _("已保存"),
            },
            "tab": "board",
        },
    )


@page(Perm.WORK_ISOLATION)
def receive(request: HttpRequest, pk: int) -> HttpResponse:
    """The site's receipt: sign for each person who arrived."""
    batch = bs.visible_batch(request.user, pk)
    _require(bs.can_receive(request.user, batch))
    if request.method == "POST":
        ids = [int(x) for x in request.POST.getlist("members") if x.isdigit()]
        try:
            done = bs.receive(request.user, batch, ids)
            if request.POST.get("allocate") and done:
                allocate_batch(request.user, batch)
            messages.success(request, _("已签收 %(n)d 人") % {"n": len(done)})
        except IsolationError as exc:
            _flash_error(request, exc)
        return redirect("isolation:receive", batch.pk)
    return render(
        request,
        "isolation/receive.html",
        {"batch": batch, "members": _members(batch), "counts": bs.reconcile(batch).as_dict()},
    )


@require_POST
@page(Perm.WORK_ISOLATION)
def close(request: HttpRequest, pk: int) -> HttpResponse:
    batch = bs.visible_batch(request.user, pk)
    try:
        bs.close_batch(request.user, batch)
        messages.success(request, _("批次已结束，人数相符"))
    except IsolationError as exc:
        _flash_error(request, exc)
    return redirect("isolation:batch", batch.pk)


@require_POST
@page(Perm.WORK_ISOLATION)
def allocate(request: HttpRequest, pk: int) -> HttpResponse:
    batch = bs.visible_batch(request.user, pk)
    try:
        placements = allocate_batch(request.user, batch)
        missing = [p for p in placements if p.room is None]
        messages.success(request, _("已分配 %(n)d 人") % {"n": len(placements) - len(missing)})
        for p in missing:
            messages.warning(request, f"{p.name}：{p.reason}")
    except IsolationError as exc:
        _flash_error(request, exc)
    return redirect("isolation:batch", batch.pk)


@require_POST
@page(Perm.WORK_ISOLATION)
def disinfect(request: HttpRequest, pk: int) -> HttpResponse:
    batch = bs.visible_batch(request.user, pk)
    try:
        bs.record_disinfection(
            request.user, batch, agent=request.POST.get("agent", ""),
            note=request.POST.get("note", ""),
        )  # fmt: skip
    except IsolationError as exc:
        _flash_error(request, exc)
    return redirect("isolation:batch", batch.pk)


@page(Perm.WORK_ISOLATION)
def handover(request: HttpRequest, pk: int) -> HttpResponse:
    """The printable handover form (转运交接表)."""
    batch = bs.visible_batch(request.user, pk)
    record_view(batch)
    return render(
        request,
        "isolation/handover.html",
        {"batch": batch, "rows": bs.handover_rows(batch), "counts": bs.reconcile(batch).as_dict()},
    )


@page(Perm.WORK_ISOLATION)
def handover_xlsx(request: HttpRequest, pk: int) -> HttpResponse:
    batch = bs.visible_batch(request.user, pk)
    data = bs.handover_xlsx(batch)
    record_export("isolation_handover", {"batch": batch.code}, batch.members.count(), False)
    response = HttpResponse(
        data, content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    response["Content-Disposition"] = f'attachment; filename="handover-{batch.code}.xlsx"'
    return response


# --- in the site: health checks, release ------------------------------------------------------


@page(Perm.WORK_ISOLATION)
def floor(request: HttpRequest, pk: int, floor: int) -> HttpResponse:
    """Twice-daily health checks for one floor, on a phone."""
    site = visible_site(request.user, pk)
    _require(ss.can_work_site(request.user, site))
    if request.method == "POST":
        stay = get_object_or_404(Stay.objects.filter(site=site), pk=request.POST.get("stay"))
        symptoms = [s for s in request.POST.getlist("symptoms") if s]
        try:
            ss.record_health_check(
                request.user, stay, temperature=request.POST.get("temperature", ""),
                symptoms=symptoms, client_id=request.POST.get("client_id") or None,
            )  # fmt: skip
        except (IsolationError, ValueError) as exc:
            _flash_error(request, exc)
        return redirect("isolation:floor", site.pk, floor)
    today = timezone.localdate()
    return render(
        request,
        "isolation/floor.html",
        {
            "site": site,
            "floor": floor,
            "rows": ss.floor_sheet(site, floor, today),
            "today": today,
            "symptom_choices": [_("发热"), _("咳嗽"), _("乏力"), _("咽痛"), _("腹泻")],
        },
    )


@page()
def sampling(request: HttpRequest, pk: int) -> HttpResponse:
    """In-site sampling on a phone: scan the person's card (or pick their row) and the tube."""
    from tongxin.isolation.services import insite

    site = visible_site(request.user, pk)
    _require(can_sample_in_site(request.user, site))
    raw_floor = request.GET.get("floor") or request.POST.get("floor") or ""
    floor_no = int(raw_floor) if raw_floor.lstrip("-").isdigit() and len(raw_floor) < 5 else None
    here = reverse("isolation:sampling", args=[site.pk])
    if floor_no is not None:
        here += f"?floor={floor_no}"
    if request.method == "POST":
        try:
            if request.POST.get("stay", "").isdigit():
                stay = (
                    Stay.objects.filter(site=site, status=StayStatus.IN_SITE)
                    .select_related("entry", "site", "room", "incident")
                    .filter(pk=int(request.POST["stay"]))
                    .first()
                )
                if stay is None:
                    raise IsolationError(_("该人员不在本隔离点隔离"))
            else:
                document_type = request.POST.get("document_type", "")
                if document_type not in DocumentType.values:
                    document_type = DocumentType.RESIDENT_ID
                stay = insite.stay_by_document(
                    site, document_type, request.POST.get("document_number", "")[:40]
                )
            tube = request.POST.get("tube", "").strip()[:64]
            answer = insite.sample_in_site(
                request.user, stay, tube, client_id=request.POST.get("client_id") or None
            )
        except IsolationError as exc:
            _flash_error(request, exc)
        else:
            text = _("已登记采样：%(name)s（%(room)s）试管 %(tube)s") % {
                "name": stay.entry.name, "room": stay.room.number if stay.room else "—",
                "tube": tube,
            }  # fmt: skip
            if answer["status"] == "duplicate":
                text = _("这份采样已登记过：%(name)s 试管 %(tube)s") % {
                    "name": stay.entry.name, "tube": tube,
                }  # fmt: skip
            messages.success(request, text)
        return redirect(here)
    today = timezone.localdate()
    rows = insite.sampling_sheet(site, today, floor_no)
    floors = sorted(set(site.rooms.values_list("floor", flat=True)))
    labels = dict(_result_labels())
    for row in rows:
        row["result_label"] = labels.get(row["last"]["result"], "") if row["last"] else ""
        row["client_id"] = uuid.uuid4()  # a resent form stores its sample once
    return render(
        request,
        "isolation/sampling.html",
        {
            "site": site,
            "rows": rows,
            "floor": floor_no,
            "floors": floors,
            "today": today,
            "client_id": uuid.uuid4(),
            "document_types": DocumentType.choices,
            "due_count": sum(1 for r in rows if r["test_due"]),
        },
    )


def _result_labels() -> list[tuple[str, str]]:
    from tongxin.sampling.models import TestResult

    return [(value, str(label)) for value, label in TestResult.choices] + [
        ("pending", _("结果未出"))
    ]


@page(Perm.WORK_ISOLATION)
def release_due(request: HttpRequest) -> HttpResponse:
    day = parse_date(request.GET.get("date", "")) or timezone.localdate()
    rows = ss.release_due(day, request.user)
    labels = dict(_result_labels())
    for row in rows:
        row["result_label"] = labels.get(row["last_test"]["result"], "") if row["last_test"] else ""
    return render(
        request,
        "isolation/release_due.html",
        {"rows": rows, "day": day, "tab": "release"},
    )


@require_POST
@page(Perm.WORK_ISOLATION)
def release(request: HttpRequest, pk: int) -> HttpResponse:
    stay = ss.visible_stay(request.user, pk)
    try:
        ss.release(request.user, stay)
    except IsolationError as exc:
        _flash_error(request, exc)
        return redirect(reverse("isolation:release_due"))
    return redirect("isolation:notice", stay.pk)


@page(Perm.WORK_ISOLATION)
def notice(request: HttpRequest, pk: int) -> HttpResponse:
    """The release notice (解除隔离告知书), printable."""
    stay = ss.visible_stay(request.user, pk)
    if stay.status != StayStatus.RELEASED:
        raise Http404
    record_view(stay)
    watch = stay.home_watches.first()
    return render(request, "isolation/notice.html", {"stay": stay, "watch": watch})


# --- home isolation and monitoring on the grid's list -----------------------------------------


@page(Perm.KEEP_HOME_WATCH)
def home_list(request: HttpRequest) -> HttpResponse:
    day = parse_date(request.GET.get("date", "")) or timezone.localdate()
    if request.method == "POST":
        watch = hs.visible_watch(request.user, int(request.POST.get("watch") or 0))
        try:
            if request.POST.get("action") == "seal":
                hs.set_door_seal(request.user, watch, request.POST.get("sealed") == "1")
            else:
                hs.check_in(
                    request.user, watch, temperature=request.POST.get("temperature", "")[:10],
                    well=request.POST.get("well") == "1", note=request.POST.get("note", ""),
                )  # fmt: skip
        except IsolationError as exc:
            _flash_error(request, exc)
        return redirect("isolation:home")
    return render(
        request,
        "isolation/home.html",
        {"groups": hs.grid_list(request.user, day), "day": day, "tab": "home"},
    )
