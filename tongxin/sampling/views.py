"""Sampling pages: the point (scanner and phone), coverage, untested lists, recalls, door-to-door
teams, handover boxes, lab results and walk-ins.

Views translate requests into service calls. Everything shown comes through
`visible_to(user)`; anything out of reach is 404.
"""

from typing import Any

from django.contrib import messages as flash
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseNotModified, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.http import parse_etags
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from tongxin.people.models import Person
from tongxin.people.services import search
from tongxin.places.models import Place, PlaceKind
from tongxin.sampling.models import (
    Box,
    BoxStatus,
    DoorStatus,
    DoorTask,
    LabResult,
    LabResultStatus,
    Recall,
    SamplingTeam,
    Tube,
    TubeStatus,
    WalkIn,
    sees_door_tasks,
)
from tongxin.sampling.services import coverage, door, handover, recalls, results, walkins
from tongxin.sampling.services.access import can
from tongxin.testing.models import RoundPoint, SamplingMode, TestPoint, TestRound
from tongxin.web.decorators import is_fragment_request, page, revalidate_privately


def _user(request: HttpRequest) -> Any:
    return request.user


def _require(request: HttpRequest, action: str) -> None:
    if not can(request.user, action):
        raise PermissionDenied


def _round(request: HttpRequest, round_id: int, *, related: bool = True) -> TestRound:
    rounds = TestRound.objects.visible_to(request.user)
    if related:  # the coverage pages, refreshed every 30 s, load the incident only if used
        rounds = rounds.select_related("incident__policy_edition")
    return get_object_or_404(rounds, pk=round_id)


def _place(request: HttpRequest, place_id: Any) -> Place | None:
    if place_id in (None, ""):
        return None
    if not str(place_id).isdigit():
        raise Http404
    return get_object_or_404(Place.objects.visible_to(request.user), pk=int(place_id))


# --- index and round --------------------------------------------------------------------------


@page()
def index(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    rounds = TestRound.objects.visible_to(user).select_related("incident").order_by("-starts_at")
    return render(
        request,
        "sampling/index.html",
        {
            "rounds": rounds,
            "can_record": can(user, "record_samples"),
            "can_import": can(user, "import_results"),
        },
    )


@page()
def round_home(request: HttpRequest, round_id: int) -> HttpResponse:
    user = _user(request)
    test_round = _round(request, round_id)
    points = (
        RoundPoint.objects.filter(round=test_round, point__in=TestPoint.objects.visible_to(user))
        .select_related("point")
        .order_by("point__name")
    )
    return render(
        request,
        "sampling/round.html",
        {
            "round": test_round,
            "points": points,
            "can_record": can(user, "record_samples"),
            "can_coverage": can(user, "view_coverage"),
            "can_recalls": can(user, "view_recalls"),
            "can_manage": can(user, "manage_sampling"),
            "door_counts": door.task_counts(test_round, user),
            "teams": SamplingTeam.objects.visible_to(user).filter(active=True).distinct(),
            "recalls": Recall.objects.visible_to(user).filter(round=test_round).count(),
        },
    )


# --- the point page ---------------------------------------------------------------------------


def _round_point(request: HttpRequest, round_id: int, point_id: int) -> tuple[TestRound, Any]:
    _require(request, "record_samples")
    test_round = _round(request, round_id)
    point = get_object_or_404(TestPoint.objects.visible_to(request.user), pk=point_id)
    round_point = get_object_or_404(
        RoundPoint.objects.prefetch_related("serves"), round=test_round, point=point
    )
    return test_round, round_point


def _point_messages() -> dict[str, Any]:
    """What the point page's script says, translated here (the script carries no text)."""
    return {
        "no_tube": _("未扫试管"),
        "online": _("在线"),
        "offline": _("离线（样本暂存在本机，联网后自动上传）"),
        "storage_full": _("本机存储已满，请尽快联网上传"),
        "scan_tube_first": _("请先扫描试管条码"),
        "bad_id": _("身份证号码校验未通过，请重新扫描或核对"),
        "bad_barcode": _("试管条码不能含有空格"),
        "tube_ready": _("试管 %(tube)s 已就绪，请扫描身份证"),
        "tube_closed": _("试管 %(tube)s 已封管，不能再加样，请换新管"),
        "tube_full": _("试管 %(tube)s 已满（%(n)s/%(n)s 人），请换新管"),
        "tube_now_full": _("试管 %(tube)s 已满，请封管并换新管"),
        "sampled": _("已采样（本管 %(n)s/%(cap)s 人）"),
        "repeat_here": _("此人刚才已在本采样点采样，已再次登记，请确认"),
        "closing": _("封管 %(tube)s"),
        "nobody": _("没有找到"),
        "lookup_offline": _("离线时不能按姓名查找，请扫描身份证"),
        "register": _("补登"),
        "walk_in_done": _("已补登姓名和住址，待网格核实"),
        "walk_in_failed": _("补登未成功，请检查网络后重试"),
        "signed_out": _("登录已失效，请重新登录；样本仍暂存在本机"),
        "queued_upload": _("排队上传中"),
        "states": {
            "queued": _("待上传"),
            "stored": _("已上传"),
            "warning": _("已上传（请注意）"),
            "duplicate": _("已上传（重复提交已忽略）"),
            "refused": _("未登记"),
        },
        "status": {
            TubeStatus.OPEN: _("采样中"),
            TubeStatus.FULL: _("已满"),
            TubeStatus.CLOSED: _("已封管"),
        },
        "modes": {m.value: str(m.label) for m in SamplingMode},
    }


@page()
def point_page(request: HttpRequest, round_id: int, point_id: int) -> HttpResponse:
    """The sampling page: one input for a keyboard-wedge scanner (or typing on a phone)."""
    test_round, round_point = _round_point(request, round_id, point_id)
    point = round_point.point
    from tongxin.testing.services import sampling_modes_for

    default_mode, default_size = sampling_modes_for(test_round, [point.place])[point.place.pk]
    served = list(round_point.serves.all()) or [point.place]
    buildings: list[Place] = []
    for place in served:
        buildings += list(walkins.buildings_for_walk_ins(test_round.pk, place)[:300])
    open_tubes = Tube.objects.filter(
        round=test_round, point=point, status=TubeStatus.OPEN
    ).order_by("-opened_at")[:5]
    config = {
        "round": test_round.pk,
        "point": point.pk,
        "upload": reverse("api:upload_events"),
        "lookup": reverse("sampling:lookup", args=[test_round.pk, point.pk]),
        "complete": reverse("sampling:complete_walk_in", args=[test_round.pk, point.pk]),
        "mode": default_mode,
        "capacity": default_size,
        "sizes": {"single": 1, "pool_10": 10, "pool_20": 20},
        "storage": f"tongxin.sampling.queue.{test_round.pk}.{point.pk}",
        "tubes": {
            t.barcode: {
                "mode": t.mode,
                "capacity": t.capacity,
                "count": t.sample_count,
                "status": t.status,
            }
            for t in open_tubes
        },
    }
    return render(
        request,
        "sampling/point.html",
        {
            "round": test_round,
            "point": point,
            "round_point": round_point,
            "modes": [(m.value, m.label) for m in SamplingMode if m != SamplingMode.POOL],
            "default_mode": default_mode,
            "buildings": buildings,
            "config": config,
            "texts": _point_messages(),
            "walk_ins": _point_walk_ins(request, test_round, point),
        },
    )


def _point_walk_ins(request: HttpRequest, test_round: TestRound, point: TestPoint) -> list[Any]:
    """This point's walk-ins of the round still to be checked (what a reload must not lose),
    each with the id of the sample that registered them, for completing their details."""
    from django.db.models import OuterRef, Subquery

    from tongxin.sampling.models import SampleEvent

    first_sample = SampleEvent.objects.filter(
        person_id=OuterRef("person_id"), round=test_round, point=point
    ).order_by("sampled_at")
    return list(
        WalkIn.objects.visible_to(request.user)
        .filter(round=test_round, point=point, checked_at__isnull=True)
        .annotate(event_id=Subquery(first_sample.values("client_event_id")[:1]))
        .select_related("person__household")
        .order_by("-needs_details", "-registered_at")[:100]
    )


@page()
@require_POST
def complete_walk_in(request: HttpRequest, round_id: int, point_id: int) -> JsonResponse:
    """Name and address of someone sampled as not on the list, from the point page."""
    test_round, round_point = _round_point(request, round_id, point_id)
    building = request.POST.get("building", "")
    try:
        walkins.complete_walk_in(
            request.user,
            round_id=test_round.pk,
            point_id=round_point.point_id,
            event_id=request.POST.get("event", ""),
            name=request.POST.get("name", ""),
            building_id=int(building) if building.isdigit() else None,
            room=request.POST.get("room", ""),
            phone=request.POST.get("phone", ""),
        )
    except walkins.WalkInError as exc:
        return JsonResponse({"detail": str(exc)}, status=400)
    return JsonResponse({"ok": True})


@page()
@require_POST
def lookup(request: HttpRequest, round_id: int, point_id: int) -> JsonResponse:
    """Look a resident up by name (or pinyin, or the last digits of a number), masked. The
    query is POSTed so no name or number ends up in an address or a log."""
    test_round, round_point = _round_point(request, round_id, point_id)
    query = request.POST.get("q", "").strip()
    if len(query) < 2:
        return JsonResponse({"people": []})
    from django.db.models import Q

    from tongxin.testing.services.scope import scope_q

    # Only the round's scope or the point's area: the lookup is no county-wide search.
    reach = scope_q(test_round, "household__path") | Q(
        household__path__startswith=round_point.point.place.path
    )
    # Walk-ins the grid has not checked are left out: finding the one an unknown number just
    # made would tell it from a number registered outside the round (issue 9).
    candidates = (
        Person.objects.visible_to(request.user)
        .filter(reach)
        .exclude(walk_in__isnull=False, walk_in__checked_at__isnull=True)
    )
    people = search(candidates.for_list(), query)
    rows = [
        {
            "id": p.pk,
            "name": p.name,
            "document_masked": p.document_masked,
            "age": p.age,
            "household": p.household.address or p.household.name,
        }
        for p in people.order_by("household__path", "name")[:20]
    ]
    return JsonResponse({"people": rows})


# --- coverage ---------------------------------------------------------------------------------


# How often an open coverage or untested page refreshes its figures or list (htmx, that part
# alone).
REFRESH_SECONDS = 30
COVERAGE_FIGURES = "coverage-figures"
# The figures' HTML per worker, by what it is made of (`_figures_key`): at most this many.
FIGURES_KEPT = 256
_figures_html: dict[str, str] = {}


def _figures_key(
    request: HttpRequest, test_round: TestRound, area: Place | None, report: Any
) -> str:
    """What the figures' HTML is made of, as a digest (also the fragment's ETag): who sees
    these figures (`shared_key`: the round, the area, the jurisdiction, the language), the
    URL, the template and the figures themselves. Nothing of the person: two cadres of the
    same unit get the same figures, a cadre of another unit never theirs."""
    import hashlib
    import json

    from django.template.loader import get_template

    template = get_template("sampling/_coverage_figures.html").template.source  # type: ignore[attr-defined]
    shared = coverage.shared_key(test_round, area, request.user)
    figures = json.dumps(report, sort_keys=True, default=str)
    made_of = f"{shared}\n{request.get_full_path()}\n{REFRESH_SECONDS}\n{template}\n{figures}"
    return hashlib.sha256(made_of.encode()).hexdigest()


def _figures(request: HttpRequest, test_round: TestRound, report: Any, key: str) -> str:
    """The figures' HTML (counts, place and point names; no person), rendered once per
    worker for everyone it is made for, then served as it is until the figures change."""
    html = _figures_html.get(key)
    if html is None:
        # Rendered without the request: nothing of the user who happens to ask first.
        html = render_to_string(
            "sampling/_coverage_figures.html",
            {
                "round": test_round,
                "report": report,
                "path": request.get_full_path(),
                "refresh": REFRESH_SECONDS,
                "chart_data": {"children": report["children"], "points": report["points"][:12]},
                "leaf": report["area"] is not None
                and report["area"]["kind"] in (PlaceKind.ESTATE, PlaceKind.BUILDING),
            },
        )
        if len(_figures_html) >= FIGURES_KEPT:
            _figures_html.clear()
        _figures_html[key] = html
    return html


@page()
def coverage_page(request: HttpRequest, round_id: int) -> HttpResponse:
    """The coverage of a round (counts only). The open page refreshes its figures every
    REFRESH_SECONDS (an htmx request for #coverage-figures), answered from the shared cache's
    figures with HTML rendered once per worker and an ETag: `304 Not Modified` while they
    have not changed (`Cache-Control: private, no-cache`: the browser keeps them for this
    user only and asks each time)."""
    _require(request, "view_coverage")
    test_round = _round(request, round_id, related=False)
    area = _place(request, request.GET.get("area"))
    report = coverage.shared_report(test_round, area, user=request.user)
    key = _figures_key(request, test_round, area, report)
    if is_fragment_request(request, COVERAGE_FIGURES):
        etag = f'"{key}"'
        if etag in parse_etags(request.headers.get("If-None-Match", "")):
            response: HttpResponse = HttpResponseNotModified()
        else:
            response = HttpResponse(_figures(request, test_round, report, key))
        response["ETag"] = etag
        revalidate_privately(response)
        return response
    crumbs: list[Place] = []
    if report["area"]:
        current = Place.objects.get(pk=report["area"]["id"])
        crumbs = list(
            Place.objects.visible_to(request.user)
            .filter(current.ancestors_q())
            .exclude(pk=current.pk)
            .order_by("depth")
        )
    return render(
        request,
        "sampling/coverage.html",
        {
            "round": test_round,
            "report": report,
            "crumbs": crumbs,
            "figures": mark_safe(_figures(request, test_round, report, key)),  # noqa: S308
        },
    )


@page()
def coverage_json(request: HttpRequest, round_id: int) -> JsonResponse:
    _require(request, "view_coverage")
    test_round = _round(request, round_id, related=False)
    area = _place(request, request.GET.get("area"))
    return JsonResponse(coverage.shared_report(test_round, area, user=request.user))


UNTESTED_LIST = "untested-list"


@page()
def untested_page(request: HttpRequest, round_id: int, place_id: int) -> HttpResponse:
    """An estate's untested list, a page at a time. The open page refreshes the list alone
    every REFRESH_SECONDS (an htmx request for #untested-list): the same scoped, masked rows,
    without the page around them nor the people other modules expect."""
    _require(request, "view_coverage")
    test_round = _round(request, round_id, related=False)
    place = _place(request, place_id)
    assert place is not None
    number = request.GET.get("page", "1")
    page = int(number) if number.isdecimal() and len(number) < 10 else 1
    listed = coverage.untested_page(test_round, place, user=request.user, page=page)
    context = {
        "round": test_round,
        "place": place,
        "households": coverage.untested_by_household(listed["rows"]),
        "count": listed["total"],
        "listed": listed,
        "path": request.get_full_path(),
        "query": request.GET,
        "refresh": REFRESH_SECONDS,
    }
    if is_fragment_request(request, UNTESTED_LIST):
        # The list alone, without the page's context processors (navigation, permissions).
        return HttpResponse(render_to_string("sampling/_untested_list.html", context))
    managed = coverage.expected_elsewhere(test_round, place, user=request.user)
    context["managed"] = managed
    context["managed_untested"] = sum(1 for r in managed if not r["done"])
    return render(request, "sampling/untested.html", context)


# --- recalls and positives --------------------------------------------------------------------


@page()
def recall_list(request: HttpRequest, round_id: int) -> HttpResponse:
    _require(request, "view_recalls")
    test_round = _round(request, round_id)
    return render(
        request,
        "sampling/recalls.html",
        {"round": test_round, "recalls": recalls.recalls_report(test_round, request.user)},
    )


@page()
def recall_detail(request: HttpRequest, pk: int) -> HttpResponse:
    _require(request, "view_recalls")
    recall, members = recalls.view_recall(request.user, pk)
    return render(request, "sampling/recall.html", {"recall": recall, "members": members})


@page()
def positives(request: HttpRequest) -> HttpResponse:
    _require(request, "view_recalls")
    rows = recalls.view_positives(request.user)
    return render(request, "sampling/positives.html", {"positives": rows})


# --- door to door -----------------------------------------------------------------------------


@page()
def door_tasks(request: HttpRequest, round_id: int) -> HttpResponse:
    """Planning and assigning the round's door-to-door tasks."""
    user = _user(request)
    if not sees_door_tasks(user):
        raise PermissionDenied
    test_round = _round(request, round_id)
    can_manage = can(user, "manage_sampling")
    if request.method == "POST":
        if not can_manage:
            raise PermissionDenied
        if "plan" in request.POST:
            made = door.plan_door_tasks(test_round)
            flash.success(
                request,
                _("已生成上门采样任务：封控住户 %(s)d 户，卧床人员 %(b)d 人")
                % {"s": made["sealed"], "b": made["bedridden"]},
            )
        else:
            team = get_object_or_404(
                SamplingTeam.objects.visible_to(user), pk=request.POST.get("team") or 0
            )
            ids = [int(i) for i in request.POST.getlist("task") if i.isdigit()]
            try:
                n = door.assign_tasks(user, ids, team)
            except door.DoorError as exc:
                flash.error(request, str(exc))
            else:
                flash.success(request, _("已分派 %(n)d 个任务给 %(team)s") % {"n": n, "team": team})
        return redirect("sampling:door", round_id=test_round.pk)
    tasks = (
        DoorTask.objects.visible_to(user)
        .filter(round=test_round)
        .select_related("household", "person", "team")
        .order_by("status", "household__path")[:1000]
    )
    return render(
        request,
        "sampling/door.html",
        {
            "round": test_round,
            "tasks": tasks,
            "teams": SamplingTeam.objects.visible_to(user).filter(active=True).distinct(),
            "can_manage": can_manage,
            "counts": door.task_counts(test_round, user),
        },
    )


@page()
def team_worklist(request: HttpRequest, round_id: int, team_id: int) -> HttpResponse:
    """A team's list, household by household, with a form to record each one's samples."""
    user = _user(request)
    test_round = _round(request, round_id)
    team = get_object_or_404(SamplingTeam.objects.visible_to(user).distinct(), pk=team_id)
    tasks = list(door.worklist(user, team, test_round))
    residents: dict[int, list[Person]] = {}
    for person in (
        Person.objects.visible_to(user)
        .filter(household_id__in={t.household_id for t in tasks})
        .only("pk", "name", "document_masked", "household_id", "birth_date")
    ):
        residents.setdefault(person.household_id, []).append(person)
    for task in tasks:
        people = residents.get(task.household_id, [])
        task.people = [p for p in people if task.person_id in (None, p.pk)]  # type: ignore[attr-defined]
    return render(
        request,
        "sampling/team.html",
        {
            "round": test_round,
            "team": team,
            "tasks": tasks,
            "pending": sum(1 for t in tasks if t.status == DoorStatus.PENDING),
            "can_record": can(user, "record_samples"),
        },
    )


@page()
@require_POST
def door_sample(request: HttpRequest, round_id: int, task_id: int) -> HttpResponse:
    """Samples taken at one household's door: a tube and the people swabbed into it."""
    import uuid

    from tongxin.sampling.services.recording import BatchError, record_batch

    _require(request, "record_samples")
    test_round = _round(request, round_id)
    task = get_object_or_404(DoorTask.objects.visible_to(request.user), pk=task_id)
    back = request.POST.get("next") or reverse("sampling:round", args=[test_round.pk])
    if request.POST.get("unreachable"):
        try:
            door.mark_unreachable(request.user, task.pk, request.POST.get("note", ""))
        except door.DoorError as exc:
            flash.error(request, str(exc))
        return redirect(back)
    barcode = request.POST.get("tube", "").strip()
    now = timezone.now()
    events = [
        {
            "id": str(uuid.uuid4()),
            "tube": barcode,
            "person": int(pk),
            "sampled_at": now.isoformat(),
            "door_task": task.pk,
        }
        for pk in request.POST.getlist("person")
        if pk.isdigit()
    ]
    if not events:
        flash.error(request, _("请勾选采样的人员"))
        return redirect(back)
    try:
        result = record_batch(
            events,
            user=request.user,
            defaults={"round": test_round.pk, "tube_mode": task.mode},
            source="door",
        )
    except BatchError as exc:
        flash.error(request, str(exc))
        return redirect(back)
    for item in result.results:
        if item["status"] == "refused":
            flash.error(request, item["message"])
    if result.stored:
        flash.success(request, _("已登记 %(n)d 人的上门采样") % {"n": result.stored})
    return redirect(back)


# --- handover ---------------------------------------------------------------------------------


@page()
def boxes(request: HttpRequest) -> HttpResponse:
    _require(request, "handover")
    user = _user(request)
    if request.method == "POST":
        test_round = _round(request, int(request.POST.get("round") or 0))
        point_id = request.POST.get("point")
        point = (
            get_object_or_404(TestPoint.objects.visible_to(user), pk=point_id) if point_id else None
        )
        try:
            box = handover.create_box(user, test_round, point, request.POST.get("code", ""))
        except handover.HandoverError as exc:
            flash.error(request, str(exc))
            return redirect("sampling:boxes")
        return redirect("sampling:box", pk=box.pk)
    return render(
        request,
        "sampling/boxes.html",
        {
            "boxes": Box.objects.visible_to(user).select_related("round", "point")[:200],
            "rounds": TestRound.objects.visible_to(user).exclude(status="closed"),
            "points": TestPoint.objects.visible_to(user).filter(active=True),
        },
    )


@page()
def box_detail(request: HttpRequest, pk: int) -> HttpResponse:
    _require(request, "handover")
    user = _user(request)
    box = handover.get_box(user, pk)
    if request.method == "POST":
        action = request.POST.get("action")
        try:
            if action == "pack":
                packed = handover.pack(user, box.pk, request.POST.get("barcodes", "").split())
                if packed.packed:
                    flash.success(request, _("已装箱 %(n)d 管") % {"n": len(packed.packed)})
                for item in packed.refused:
                    flash.error(request, f"{item['barcode']}：{item['message']}")
            elif action in ("seal", "transport", "receive"):
                counted = _count(request.POST.get("counted"))
                if action == "seal":
                    step = handover.seal_box(user, box.pk, counted)
                elif action == "transport":
                    step = handover.hand_to_transport(
                        user, box.pk, request.POST.get("party", ""), counted
                    )
                else:
                    scanned = request.POST.get("barcodes", "").split()
                    step, _detail = handover.receive_at_lab(
                        user,
                        box.pk,
                        request.POST.get("party", ""),
                        counted=None if scanned else counted,
                        barcodes=scanned or None,
                    )
                if step.ok:
                    flash.success(request, _("清点无误：%(n)d 管") % {"n": step.counted})
                else:
                    flash.error(
                        request,
                        _("数量不符：应有 %(e)d 管，清点 %(c)d 管，已上报")
                        % {"e": step.expected, "c": step.counted},
                    )
        except handover.HandoverError as exc:
            flash.error(request, str(exc))
        return redirect("sampling:box", pk=box.pk)
    return render(
        request,
        "sampling/box.html",
        {
            "box": box,
            "tubes": box.tubes.order_by("barcode"),
            "steps": box.steps.select_related("by"),
            "statuses": BoxStatus,
        },
    )


def _count(raw: str | None) -> int:
    raw = (raw or "").strip()
    if not raw.isdigit():
        raise handover.HandoverError(_("请填写清点的管数"))
    return int(raw)


# --- results ----------------------------------------------------------------------------------


@page()
def results_page(request: HttpRequest) -> HttpResponse:
    _require(request, "import_results")
    user = _user(request)
    summary = None
    if request.method == "POST":
        upload = request.FILES.get("file")
        if upload is None:
            flash.error(request, _("请选择结果文件"))
        else:
            try:
                summary = results.import_results(
                    upload, user=user, lab=request.POST.get("lab", ""), name=upload.name or ""
                )
            except (results.ResultFileError, results.NotAllowed) as exc:
                flash.error(request, str(exc))
    visible = LabResult.objects.visible_to(user)
    return render(
        request,
        "sampling/results.html",
        {
            "summary": summary,
            "unknown": visible.filter(status=LabResultStatus.UNKNOWN).order_by("-reported_at")[
                :100
            ],
            "conflicts": visible.filter(status=LabResultStatus.CONFLICT)
            .select_related("tube")
            .order_by("-reported_at")[:100],
            "not_handed_over": visible.filter(not_handed_over=True)
            .select_related("tube")
            .order_by("-reported_at")[:100],
            "accepted_words": results.accepted_words(),
            "raised": Recall.objects.visible_to(user)
            .filter(pk__in=(summary or {}).get("recalls_raised", []))
            .select_related("tube"),
        },
    )


# --- walk-ins ---------------------------------------------------------------------------------


@page()
def walk_ins(request: HttpRequest) -> HttpResponse:
    """People registered at a point, for their grid to check."""
    user = _user(request)
    if request.method == "POST":
        pk = request.POST.get("walk_in", "")
        if not pk.isdigit():
            raise Http404
        walkins.check_walk_in(user, int(pk), request.POST.get("note", ""))
        flash.success(request, _("已核实"))
        return redirect("sampling:walk_ins")
    rows = (
        WalkIn.objects.visible_to(user)
        .select_related("person__household", "point", "registered_by")
        .order_by("checked_at", "-registered_at")[:500]
    )
    return render(request, "sampling/walk_ins.html", {"walk_ins": rows})
