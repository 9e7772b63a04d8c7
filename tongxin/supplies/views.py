"""Supplies pages: stock (low items first), open requests, and the doorstep delivery list per
building that a volunteer or cadre ticks off on a phone."""

import uuid

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from tongxin.accounts.permissions import Perm, has_perm
from tongxin.helpdesk.models import HelpRequest
from tongxin.helpdesk.services import works_on
from tongxin.incidents.models import Incident
from tongxin.supplies.forms import ReceiveForm, RequestForm, RoundForm
from tongxin.supplies.models import (
    DeliveryRound,
    HouseholdDelivery,
    RequestStatus,
    SupplyRequest,
    Warehouse,
)
from tongxin.supplies.services import SuppliesError
from tongxin.supplies.services.deliveries import (
    delivery_list,
    generate_round,
    link_help_request,
    linkable_requests,
    mark_delivered,
)
from tongxin.supplies.services.requests import confirm_receipt, create_request, issue_request
from tongxin.supplies.services.stock import receive, stock_report
from tongxin.web.decorators import page
from tongxin.web.forms import attempt


def _may_see(user: object) -> bool:
    return has_perm(user, Perm.VIEW_SUPPLIES) or has_perm(user, Perm.DELIVER_SUPPLIES)


@page()
def index(request: HttpRequest) -> HttpResponse:
    if not _may_see(request.user):
        raise PermissionDenied
    warehouses = Warehouse.objects.visible_to(request.user).filter(active=True)
    requests = (
        SupplyRequest.objects.visible_to(request.user)
        .filter(status__in=(RequestStatus.OPEN, RequestStatus.ISSUED))
        .select_related("item", "warehouse")[:100]
    )
    rounds = DeliveryRound.objects.visible_to(request.user).select_related("estate", "item")[:50]
    context = {
        "stock": stock_report(warehouses),
        "requests": requests,
        "rounds": rounds,
        "can_manage": has_perm(request.user, Perm.MANAGE_SUPPLIES),
        "can_request": has_perm(request.user, Perm.VIEW_SUPPLIES),
    }
    return render(request, "supplies/index.html", context)


def _incident() -> Incident:
    found = Incident.objects.open().select_related("policy_edition").order_by("-started_at")
    incident = found.first()
    if incident is None:
        raise Http404
    return incident


def _form_page(request: HttpRequest, form: object, title: str, button: str) -> HttpResponse:
    status = 400 if getattr(form, "is_bound", False) else 200
    context = {"form": form, "title": title, "button": button}
    return render(request, "supplies/form.html", context, status=status)


@page(Perm.VIEW_SUPPLIES)
def new_request(request: HttpRequest) -> HttpResponse:
    """申领 from a post: which warehouse, what, how many, by when."""
    form = RequestForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        found = attempt(
            form, SuppliesError, create_request, _incident(), data["warehouse"], data["item"],
            data["quantity"], data["for_post"], needed_by=data["needed_by"], by=request.user,
        )  # fmt: skip
        if found is not None:
            messages.success(request, _("已提交申领：%(r)s") % {"r": found})
            return redirect("supplies:index")
    return _form_page(request, form, _("岗位申领物资"), _("提交申领"))


@page(Perm.MANAGE_SUPPLIES)
def stock_in(request: HttpRequest) -> HttpResponse:
    """入库: a delivery to a warehouse, by batch."""
    form = ReceiveForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        move = attempt(
            form, SuppliesError, receive, data["warehouse"], data["item"], data["quantity"],
            batch=data["batch"], by=request.user, note=data["note"],
        )  # fmt: skip
        if move is not None:
            messages.success(
                request,
                _("已入库 %(item)s %(n)d，结存 %(b)d")
                % {"item": data["item"].name, "n": data["quantity"], "b": move.balance_after},
            )
            return redirect("supplies:index")
    return _form_page(request, form, _("物资入库"), _("确认入库"))


@page(Perm.MANAGE_SUPPLIES)
def new_round(request: HttpRequest) -> HttpResponse:
    """入户配送清单: generated from the registry and the zone for an estate and a day."""
    form = RoundForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        round_ = attempt(
            form, SuppliesError, generate_round, _incident(), data["estate"], data["item"],
            data["day"], by=request.user,
        )  # fmt: skip
        if round_ is not None:
            return redirect("supplies:round", round_.pk)
    return _form_page(request, form, _("生成入户配送清单"), _("生成清单"))


@page()
def round_page(request: HttpRequest, pk: int) -> HttpResponse:
    round_ = get_object_or_404(
        DeliveryRound.objects.visible_to(request.user).select_related("estate", "item"), pk=pk
    )
    data = delivery_list(round_, HouseholdDelivery.objects.visible_to(request.user))
    # One building at a time on the phone (the first with doors still to knock on), with
    # every building's count above it.
    buildings = data["buildings"]
    raw = request.GET.get("building", "")
    index = int(raw) if raw.isdigit() and int(raw) < len(buildings) else None
    if index is None:
        pending = [
            i for i, b in enumerate(buildings) if b["households_delivered"] < len(b["households"])
        ]
        index = pending[0] if pending else 0
    current = buildings[index] if buildings else None
    if current is not None and has_perm(request.user, Perm.DELIVER_SUPPLIES):
        # Open living-supplies requests of these doors that the user works on: one tap links
        # the request to the delivery, which closes it at the doorstep.
        waiting = [
            h["id"] for h in current["households"] if not h["delivered"] and not h["help_request"]
        ]
        linkable = linkable_requests(round_, HelpRequest.objects.visible_to(request.user), waiting)
        for h in current["households"]:
            h["linkable"] = [r for r in linkable.get(h["id"], []) if works_on(request.user, r)]
    context = {
        "round": round_,
        "data": data,
        "current": current,
        "current_index": index,
        "can_deliver": has_perm(request.user, Perm.DELIVER_SUPPLIES),
        "client_id": uuid.uuid4().hex,
    }
    return render(request, "supplies/round.html", context)


@page(Perm.DELIVER_SUPPLIES)
@require_POST
def delivered(request: HttpRequest) -> HttpResponse:
    """One tap on a household's button; the page's client id plus the household's makes a
    resent form (a double tap, a retry) land once."""
    raw = request.POST.get("delivery", "")
    pk = int(raw) if raw.isdigit() else 0
    delivery = get_object_or_404(
        HouseholdDelivery.objects.visible_to(request.user).select_related(
            "round__item", "help_request", "household"
        ),
        pk=pk,
    )
    try:
        marked = mark_delivered(delivery, request.user, client_id=request.POST.get("client_id", ""))
        if marked.request_closed:
            messages.success(request, _("已送达，求助工单已办结"))
        elif marked.request_note:
            messages.warning(request, marked.request_note)
        else:
            messages.success(request, _("%(room)s 已送达") % {"room": delivery.household.name})
    except SuppliesError as exc:
        messages.error(request, str(exc))
    building = request.POST.get("building", "")
    target = redirect("supplies:round", delivery.round_id)
    if building.isdigit():
        target["Location"] += f"?building={building}"
    return target


@page(Perm.MANAGE_SUPPLIES)
@require_POST
def issue_request_view(request: HttpRequest, pk: int) -> HttpResponse:
    """出库 for a post's request: refused whole when the stock is short."""
    found = get_object_or_404(SupplyRequest.objects.visible_to(request.user), pk=pk)
    try:
        issue_request(found, by=request.user)
        messages.success(request, _("已出库：%(r)s") % {"r": found})
    except SuppliesError as exc:
        messages.error(request, str(exc))
    return redirect("supplies:index")


@page(Perm.MANAGE_SUPPLIES)
@require_POST
def receipt(request: HttpRequest, pk: int) -> HttpResponse:
    found = get_object_or_404(SupplyRequest.objects.visible_to(request.user), pk=pk)
    try:
        confirm_receipt(found, request.POST.get("receiver", ""))
        messages.success(request, _("已签收：%(r)s") % {"r": found})
    except SuppliesError as exc:
        messages.error(request, str(exc))
    return redirect("supplies:index")


@page(Perm.DELIVER_SUPPLIES)
@require_POST
def link_request(request: HttpRequest) -> HttpResponse:
    """关联求助: this household's delivery fulfils the help request (closed at the doorstep)."""
    raw = request.POST.get("delivery", "")
    delivery = get_object_or_404(
        HouseholdDelivery.objects.visible_to(request.user).select_related("household"),
        pk=int(raw) if raw.isdigit() else 0,
    )
    found = get_object_or_404(
        HelpRequest.objects.visible_to(request.user).select_related("person"),
        number=request.POST.get("request", "").strip()[:24],
    )
    try:
        link_help_request(delivery, found, request.user)
        messages.success(
            request,
            _("%(room)s 的配送已关联求助工单 %(n)s，送达即办结")
            % {"room": delivery.household.name, "n": found.number},
        )
    except SuppliesError as exc:
        messages.error(request, str(exc))
    building = request.POST.get("building", "")
    target = redirect("supplies:round", delivery.round_id)
    if building.isdigit():
        target["Location"] += f"?building={building}"
    return target
