"""Zone pages: the list with the lifting board, a zone, the decisions, and the zone map.

Views translate requests into service calls; everything they show comes through
`visible_to(user)`. Deciding (designate, change, lift, accept, dismiss) is the command post's.
"""

import datetime as dt
import math
from collections import defaultdict
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from tongxin.accounts.jurisdiction import jurisdiction_of
from tongxin.accounts.permissions import Perm
from tongxin.care.services.profile import special_population_counts
from tongxin.incidents.models import Incident
from tongxin.places.models import Place, PlaceKind
from tongxin.places.services import county
from tongxin.web.decorators import page
from tongxin.zones import kinds as zk
from tongxin.zones import services
from tongxin.zones.forms import AcceptForm, AreaRoundForm, DesignateForm, DismissForm, LiftForm
from tongxin.zones.models import (
    AreaTestRound,
    DesignationProposal,
    PositiveFinding,
    ZoneDesignation,
)
from tongxin.zones.services import ZoneError, can_manage_zones, kind_of


def _require_manager(request: HttpRequest) -> None:
    if not can_manage_zones(request.user):
        raise PermissionDenied


def _incident(request: HttpRequest) -> Incident | None:
    incidents = Incident.objects.visible_to(request.user).select_related("policy_edition")
    wanted = request.GET.get("incident") or request.POST.get("incident")
    if wanted and wanted.isdigit():
        return get_object_or_404(incidents, pk=int(wanted))
    return incidents.open().first() or incidents.first()


def _at(request: HttpRequest) -> dt.datetime | None:
    """?at=2022-03-07T03:00 (county time) for looking back; None means now."""
    raw = (request.GET.get("at") or "").strip()
    if not raw:
        return None
    parsed = parse_datetime(raw)
    if parsed is None:
        return None
    return timezone.make_aware(parsed) if timezone.is_naive(parsed) else parsed


def _back(request: HttpRequest) -> HttpResponse | None:
    """Return to the page the decision was made on (the board), if it is one of ours."""
    target = request.POST.get("next", "")
    if target and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        return redirect(target)
    return None


def _designation(request: HttpRequest, pk: int) -> ZoneDesignation:
    return get_object_or_404(
        ZoneDesignation.objects.visible_to(request.user).select_related(
            "place", "incident__policy_edition", "decided_by", "recorded_by", "supersedes"
        ),
        pk=pk,
    )


def _common(request: HttpRequest, incident: Incident | None) -> dict[str, Any]:
    edition = incident.policy_edition if incident else None
    return {
        "incident": incident,
        "incidents": Incident.objects.visible_to(request.user).order_by("-started_at"),
        "edition": edition,
        "legend": zk.zone_kinds(edition),
        "no_zone_colour": zk.NO_ZONE_COLOUR,
        "can_manage": can_manage_zones(request.user),
    }


# --- list and board -------------------------------------------------------------------------


@page(Perm.VIEW_PLACES)
def zone_list(request: HttpRequest) -> HttpResponse:
    user: Any = request.user
    incident = _incident(request)
    at = _at(request)
    context = _common(request, incident)
    context.update({"at": at, "rows": [], "proposals": [], "designation_proposals": []})
    if incident is not None:
        context["designation_proposals"] = services.designation_proposals(incident, user)
        moment = at or timezone.now()
        designations = list(
            ZoneDesignation.objects.visible_to(user)
            .in_force(moment)
            .filter(incident=incident)
            .select_related("place", "incident__policy_edition", "decided_by")
        )
        statuses = services.lifting_statuses(designations, moment)
        population = services.zone_population(designations, user)
        rows: list[dict[str, Any]] = [
            {
                "designation": d,
                "kind": statuses[d.pk].kind,
                "status": statuses[d.pk],
                "residents": population[d.pk][0],
                "households": population[d.pk][1],
            }
            for d in designations
        ]
        rows.sort(key=lambda r: (-r["kind"].rank, r["designation"].place.path))
        counts: dict[str, int] = defaultdict(int)
        for row in rows:
            counts[row["kind"].code] += 1
        context.update(
            {
                "rows": rows,
                "proposals": [r for r in rows if r["status"].proposed],
                "kind_counts": [(k, counts.get(k.code, 0)) for k in context["legend"]],
            }
        )
    return render(request, "zones/list.html", context)


# --- one zone -------------------------------------------------------------------------------


@page(Perm.VIEW_PLACES)
def zone_detail(request: HttpRequest, pk: int) -> HttpResponse:
    user: Any = request.user
    designation = _designation(request, pk)
    incident = designation.incident
    place = designation.place
    kind = kind_of(designation)
    residents, households = services.zone_population([designation], user)[designation.pk]
    household_page = Paginator(services.households_in(place, user), 50).get_page(
        request.GET.get("page")
    )
    prefix = place.address or ""
    for household in household_page:
        # Inside a zone the zone's own address is noise: "3单元 501室" reads better.
        address = household.address or household.name
        household.short_label = (
            address[len(prefix) :].strip() if address.startswith(prefix) else address
        )
    now = timezone.now()
    status = services.lifting_status(designation, now) if designation.is_active else None
    effective = services.effective_zone(place, now, incident=incident)
    inside = (
        ZoneDesignation.objects.visible_to(user)
        .in_force(now)
        .filter(incident=incident, place__path__startswith=place.path)
        .exclude(place=place)
        .select_related("place", "incident__policy_edition")
        .order_by("place__path")
    )
    covering = sorted(services.paths_of(place.path))
    context = _common(request, incident)
    context.update(
        {
            "designation": designation,
            "kind": kind,
            "rule_lines": zk.rule_lines(kind),
            "place": place,
            "residents": residents,
            "households": households,
            "household_page": household_page,
            "page_obj": household_page,
            "status": status,
            "effective": effective,
            "covered_by_higher": effective is not None and effective.designation != designation,
            "inside": [(d, kind_of(d)) for d in inside],
            "history": services.zone_history(place, incident),
            "units": services.units_in_zone(designation),
            "special_populations": special_population_counts(place, user),
            "positives": PositiveFinding.objects.visible_to(user)
            .filter(incident=incident, place__path__startswith=place.path)
            .select_related("place")[:20],
            "rounds": AreaTestRound.objects.visible_to(user)
            .filter(incident=incident, place__path__in=covering)
            .select_related("place")[:10],
            "round_form": AreaRoundForm(),
            "accept_form": AcceptForm(),
            "dismiss_form": DismissForm(),
        }
    )
    return render(request, "zones/detail.html", context)


# --- decisions ------------------------------------------------------------------------------


def _place_search(user: Any, query: str) -> list[Place]:
    query = query.strip()
    if not query:
        return []
    places = Place.objects.visible_to(user).filter(address__icontains=query)
    return list(places.order_by("depth", "path")[:30])


@page(Perm.VIEW_PLACES)
def designate(request: HttpRequest) -> HttpResponse:
    _require_manager(request)
    user: Any = request.user
    incident = _incident(request)
    context = _common(request, incident)
    if incident is None or not incident.is_open:
        context["no_incident"] = True
        return render(request, "zones/designate.html", context)
    place = None
    place_id = request.GET.get("place") or request.POST.get("place")
    if place_id and place_id.isdigit():
        place = get_object_or_404(Place.objects.visible_to(user), pk=int(place_id))
    form = DesignateForm(request.POST or None, edition=incident.policy_edition)
    if request.method == "POST" and place is not None and form.is_valid():
        try:
            designation = services.designate_zone(
                place,
                form.cleaned_data["kind"],
                incident,
                at=form.cleaned_data["at"],
                reason=form.cleaned_data["reason"],
                decided_by=form.cleaned_data["decided_by"] or user,
            )
        except ZoneError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(
                request,
                _("已将 %(place)s 划为%(zone)s")
                % {"place": place, "zone": kind_of(designation).name},
            )
            return redirect("zones:detail", pk=designation.pk)
    query = request.GET.get("q", "")
    existing = None
    if place is not None:
        existing = ZoneDesignation.objects.filter(incident=incident, place=place).active().first()
    context.update(
        {
            "place": place,
            "form": form,
            "q": query,
            "results": _place_search(user, query) if place is None else [],
            "effective": services.effective_zone(place, incident=incident) if place else None,
            "existing": existing,
        }
    )
    return render(request, "zones/designate.html", context)


@page(Perm.VIEW_PLACES)
def change(request: HttpRequest, pk: int) -> HttpResponse:
    """Upgrade or downgrade an active zone (closes it and opens the new kind)."""
    _require_manager(request)
    designation = _designation(request, pk)
    if not designation.is_active:
        raise Http404
    kind = kind_of(designation)
    edition = designation.incident.policy_edition
    form = DesignateForm(request.POST or None, edition=edition, exclude_kind=kind.code)
    if request.method == "POST" and form.is_valid():
        try:
            new = services.change_zone(
                designation,
                form.cleaned_data["kind"],
                form.cleaned_data["at"],
                form.cleaned_data["reason"],
                form.cleaned_data["decided_by"] or request.user,
            )
        except ZoneError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, _("已调整为%(zone)s") % {"zone": kind_of(new).name})
            return redirect("zones:detail", pk=new.pk)
    context = _common(request, designation.incident)
    context.update({"designation": designation, "kind": kind, "form": form, "mode": "change"})
    return render(request, "zones/decide.html", context)


@page(Perm.VIEW_PLACES)
def lift(request: HttpRequest, pk: int) -> HttpResponse:
    _require_manager(request)
    designation = _designation(request, pk)
    if not designation.is_active:
        raise Http404
    form = LiftForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.lift_zone(
                designation,
                form.cleaned_data["at"],
                form.cleaned_data["reason"],
                form.cleaned_data["decided_by"] or request.user,
            )
        except ZoneError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(
                request, _("已解除 %(place)s 的区域管控") % {"place": designation.place}
            )
            return redirect("zones:detail", pk=designation.pk)
    context = _common(request, designation.incident)
    context.update(
        {"designation": designation, "kind": kind_of(designation), "form": form, "mode": "lift"}
    )
    return render(request, "zones/decide.html", context)


@require_POST
@page(Perm.VIEW_PLACES)
def accept(request: HttpRequest, pk: int) -> HttpResponse:
    _require_manager(request)
    designation = _designation(request, pk)
    form = AcceptForm(request.POST)
    reason = form.cleaned_data["reason"] if form.is_valid() else ""
    try:
        result = services.accept_proposal(designation, decided_by=request.user, reason=reason)
    except ZoneError as exc:
        messages.error(request, str(exc))
        return redirect("zones:detail", pk=designation.pk)
    if result.pk == designation.pk:
        messages.success(request, _("已解除 %(place)s 的区域管控") % {"place": designation.place})
    else:
        messages.success(request, _("已调整为%(zone)s") % {"zone": kind_of(result).name})
    return _back(request) or redirect("zones:detail", pk=result.pk)


@require_POST
@page(Perm.VIEW_PLACES)
def dismiss(request: HttpRequest, pk: int) -> HttpResponse:
    _require_manager(request)
    designation = _designation(request, pk)
    form = DismissForm(request.POST)
    note = form.cleaned_data["note"] if form.is_valid() else ""
    try:
        services.dismiss_proposal(designation, decided_by=request.user, note=note)
    except ZoneError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, _("已暂不解除；有新的全域核酸阴性结果后会再次提示"))
    return _back(request) or redirect("zones:detail", pk=designation.pk)


def _designation_proposal(request: HttpRequest, pk: int) -> DesignationProposal:
    return get_object_or_404(
        DesignationProposal.objects.visible_to(request.user).select_related(
            "place", "incident__policy_edition"
        ),
        pk=pk,
    )


@require_POST
@page(Perm.VIEW_PLACES)
def accept_designation(request: HttpRequest, pk: int) -> HttpResponse:
    _require_manager(request)
    proposal = _designation_proposal(request, pk)
    try:
        designation = services.accept_designation_proposal(proposal, decided_by=request.user)
    except ZoneError as exc:
        messages.error(request, str(exc))
        return _back(request) or redirect("zones:list")
    messages.success(
        request,
        _("已将 %(place)s 划定为%(zone)s")
        % {"place": designation.place, "zone": kind_of(designation).name},
    )
    return _back(request) or redirect("zones:detail", pk=designation.pk)


@require_POST
@page(Perm.VIEW_PLACES)
def dismiss_designation(request: HttpRequest, pk: int) -> HttpResponse:
    _require_manager(request)
    proposal = _designation_proposal(request, pk)
    try:
        services.dismiss_designation_proposal(proposal, decided_by=request.user)
    except ZoneError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, _("已不予划定 %(place)s") % {"place": proposal.place})
    return _back(request) or redirect("zones:list")


@require_POST
@page(Perm.VIEW_PLACES)
def record_round(request: HttpRequest, pk: int) -> HttpResponse:
    """Record a whole-area testing round of the zone's place (until mass testing does it)."""
    _require_manager(request)
    designation = _designation(request, pk)
    form = AreaRoundForm(request.POST)
    if form.is_valid():
        services.record_area_round(
            designation.incident,
            designation.place,
            form.cleaned_data["completed_at"],
            all_negative=form.cleaned_data["all_negative"],
            reference=form.cleaned_data["reference"],
        )
        messages.success(request, _("已登记区域核酸轮次"))
    else:
        messages.error(request, _("请填写完成时间和结果"))
    return redirect("zones:detail", pk=designation.pk)


# --- map ------------------------------------------------------------------------------------

_GROUP_KINDS = {PlaceKind.COUNTY, PlaceKind.TOWNSHIP, PlaceKind.COMMUNITY, PlaceKind.ESTATE}
_WIDE_KINDS = {PlaceKind.COUNTY, PlaceKind.TOWNSHIP}


def _map_roots(user: Any, wanted: str | None) -> list[Place]:
    visible = Place.objects.visible_to(user)
    if wanted and wanted.isdigit():
        return [get_object_or_404(visible, pk=int(wanted))]
    jurisdiction = jurisdiction_of(user)
    if jurisdiction.everywhere:
        root = county() or visible.filter(depth=1).first()
        return [root] if root else []
    return list(visible.filter(path__in=jurisdiction.paths).order_by("path"))


def _tile(place: Place, zones: dict[int, services.ZoneInfo]) -> dict[str, Any]:
    zone = zones.get(place.pk)
    colour = zone.colour if zone else zk.NO_ZONE_COLOUR
    return {
        "place": place,
        "zone": zone,
        "colour": colour,
        "ink": zk.ink_for(colour),
        "label": place.key if place.kind == PlaceKind.BUILDING else place.name,
    }


def _scatter(tiles: list[dict[str, Any]], width: int = 640, pad: int = 24) -> dict[str, Any]:
    """Positions on a plain SVG for places with coordinates (no map tiles, nothing fetched)."""
    points = [t for t in tiles if t["place"].latitude is not None and t["place"].longitude]
    if not points:
        return {}
    lats = [float(t["place"].latitude) for t in points]
    lngs = [float(t["place"].longitude) for t in points]
    squeeze = math.cos(math.radians(sum(lats) / len(lats)))  # degrees of longitude are shorter
    span_x = max((max(lngs) - min(lngs)) * squeeze, 1e-4)
    span_y = max(max(lats) - min(lats), 1e-4)
    scale = (width - 2 * pad) / max(span_x, span_y)
    height = int(span_y * scale + 2 * pad)
    dots = [
        {
            **t,
            "x": round(pad + (lng - min(lngs)) * squeeze * scale, 1),
            "y": round(pad + (max(lats) - lat) * scale, 1),
            "r": 9 if t["place"].kind == PlaceKind.ESTATE else 6,
            "label_y": round(pad + (max(lats) - lat) * scale - 12, 1),
        }
        for t, lat, lng in zip(points, lats, lngs, strict=True)
    ]
    dots.sort(key=lambda d: d["zone"].rank if d["zone"] else 0)  # most restrictive on top
    return {"width": width, "height": max(height, 2 * pad + 40), "dots": dots}


@page(Perm.VIEW_PLACES)
def zone_map(request: HttpRequest) -> HttpResponse:
    """The place tree coloured by effective zone: estates as cards of building tiles, and a
    positioned SVG for the places that have coordinates."""
    user: Any = request.user
    incident = _incident(request)
    at = _at(request)
    show_all = request.GET.get("all") == "1"
    roots = _map_roots(user, request.GET.get("place"))
    visible = Place.objects.visible_to(user)

    groups: list[Place] = []
    tiles_of: dict[int, list[Place]] = defaultdict(list)
    for root in roots:
        if root.kind in _GROUP_KINDS:
            under = visible.under(root)
            groups += list(under.filter(kind=PlaceKind.ESTATE).order_by("path"))
            for building in under.filter(kind=PlaceKind.BUILDING).order_by("path"):
                tiles_of[building.parent_id or 0].append(building)
        else:  # a unit responsible for single buildings: show their stairwells or households
            groups.append(root)
            tiles_of[root.pk] = list(visible.filter(parent=root).order_by("path"))
    parent_ids = {g.parent_id for g in groups if g.parent_id}
    parents = {p.pk: p for p in visible.filter(pk__in=parent_ids)}
    everything = groups + [t for ts in tiles_of.values() for t in ts] + list(parents.values())
    zones = (
        services.effective_zones(everything, at, incident=incident) if incident is not None else {}
    )

    # Over a whole county or township, estates without any zone are noise until asked for.
    only_zoned = not show_all and bool(roots) and roots[0].kind in _WIDE_KINDS
    cards = []
    for group in groups:
        tiles = [_tile(b, zones) for b in sorted(tiles_of[group.pk], key=_natural)]
        if only_zoned and group.pk not in zones and not any(t["zone"] for t in tiles):
            continue
        cards.append(
            {
                **_tile(group, zones),
                "parent": parents.get(group.parent_id or 0),
                "parent_zone": zones.get(group.parent_id or 0),
                "tiles": tiles,
            }
        )
    positioned = cards + [t for c in cards for t in c["tiles"]]
    context = _common(request, incident)
    context.update(
        {
            "at": at,
            "roots": roots,
            "cards": cards,
            "hidden": len(groups) - len(cards),
            "show_all": show_all,
            "scatter": _scatter(positioned),
        }
    )
    return render(request, "zones/map.html", context)


def _natural(place: Place) -> tuple[Any, ...]:
    from tongxin.places.services import natural_key

    return natural_key(place)
