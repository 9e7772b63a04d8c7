"""The residents' pages: ask for help, check a request. No login.

They never tell anyone whether a person, a phone or a request exists: the answer to a new
request is the same whether or not the registry knows the caller, and a status check that does
not match says the same thing whether the number is unknown or the digits are wrong.
"""

import hmac
from typing import Any

from django.core import signing
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_protect

from tongxin.core.phones import InvalidPhone
from tongxin.helpdesk import conf
from tongxin.helpdesk.forms import PublicRequestForm, StatusCheckForm
from tongxin.helpdesk.models import Channel, HelpRequest, Status
from tongxin.helpdesk.services import challenge, ratelimit, registry
from tongxin.helpdesk.services.intake import Intake, IntakeError, receive
from tongxin.helpdesk.services.triage import EMERGENCY_RULE

RECEIPT_SALT = "tongxin.helpdesk.receipt"
RECEIPT_MAX_AGE = 24 * 3600


def _base_context() -> dict[str, Any]:
    return {"hotline": conf.hotline(), "emergency_rule": EMERGENCY_RULE}


def _limited(request: HttpRequest) -> HttpResponse:
    response = render(request, "helpdesk/public/limited.html", _base_context(), status=429)
    response["Retry-After"] = "600"
    return response


def _form_page(request: HttpRequest, form: PublicRequestForm, status: int = 200) -> HttpResponse:
    issued = challenge.issue()
    # A fresh question each time the page is shown; the previous token is spent or expired.
    if form.is_bound:
        form.seal_phone()
        form.data["token"] = issued.token
        form.data["answer"] = ""
    else:
        form.initial["token"] = issued.token
    context = {**_base_context(), "form": form, "question": issued.question}
    return render(request, "helpdesk/public/form.html", context, status=status)


@never_cache
@csrf_protect
def ask(request: HttpRequest) -> HttpResponse:
    if request.method != "POST":
        return _form_page(request, PublicRequestForm())
    ip = ratelimit.client_ip(request)
    if not (ratelimit.allow("submit_ip", ip) and ratelimit.allow("submit_ip_day", ip)):
        return _limited(request)
    form = PublicRequestForm(request.POST)
    if not form.is_valid():
        return _form_page(request, form, status=400)
    data = form.cleaned_data
    try:
        challenge.verify(data["token"], data["answer"], data.get("website", ""))
    except challenge.ChallengeFailed as exc:
        form.add_error("answer", str(exc))
        return _form_page(request, form, status=400)
    try:
        phone_key = registry.normalize_callback(data["phone"])[0]
    except InvalidPhone:
        form.add_error("phone", _("联系电话不正确，请填写手机号或带区号的固定电话"))
        return _form_page(request, form, status=400)
    if not ratelimit.allow("submit_phone", phone_key):
        return _limited(request)
    estate = data.get("estate")
    located = registry.locate(estate, data.get("unit_text", ""))
    address = (data.get("address") or "").strip()
    if estate is not None:
        address = " ".join(
            p for p in (estate.name, data.get("unit_text", "").strip(), address) if p
        )
    try:
        received = receive(
            Intake(
                text=data["text"],
                phone=data["phone"],
                caller_name=data.get("caller_name", ""),
                place=located.place,
                address=address,
                category=data.get("category", ""),
                stated_priority=data.get("urgency", ""),
                channel=Channel.WEB,
            )
        )
    except IntakeError as exc:
        form.add_error(None, str(exc))
        return _form_page(request, form, status=400)
    token = signing.dumps(received.request.number, salt=RECEIPT_SALT)
    return redirect("help_public:received", token=token)


@never_cache
def received(request: HttpRequest, token: str) -> HttpResponse:
    try:
        number = signing.loads(token, salt=RECEIPT_SALT, max_age=RECEIPT_MAX_AGE)
    except signing.BadSignature:
        raise Http404 from None
    found = HelpRequest.objects.filter(number=number).values("is_emergency").first()
    context = {
        **_base_context(),
        "number": number,
        "emergency": bool(found and found["is_emergency"]),
    }
    return render(request, "helpdesk/public/received.html", context)


PUBLIC_STATUS: dict[str, Any] = {
    Status.RECEIVED: gettext_lazy("已受理，正在安排工作人员"),
    Status.DISPATCHED: gettext_lazy("已转交承办单位，等待工作人员联系您"),
    Status.CLAIMED: gettext_lazy("工作人员已接单，将尽快联系您"),
    Status.IN_PROGRESS: gettext_lazy("工作人员已与您联系，正在办理"),
    Status.CLOSED: gettext_lazy("已办结"),
}


def public_state(found: HelpRequest) -> dict[str, Any]:
    """What a resident may know about their own request."""
    shown = found
    for _hop in range(5):
        if shown.status != Status.MERGED or shown.merged_into is None:
            break
        shown = shown.merged_into
    return {
        "number": found.number,
        "merged_into": shown.number if shown.pk != found.pk else "",
        "status": str(PUBLIC_STATUS.get(shown.status, shown.get_status_display())),
        "closed": shown.status == Status.CLOSED,
        "received_at": found.received_at,
        "updated_at": shown.updated_at,
        "team": shown.team.name if shown.team_id and shown.team else "",
        "resolution": shown.resolution if shown.status == Status.CLOSED else "",
        "emergency": shown.is_emergency,
    }


@never_cache
@csrf_protect
def status(request: HttpRequest) -> HttpResponse:
    context = _base_context()
    if request.method != "POST":
        context["form"] = StatusCheckForm()
        return render(request, "helpdesk/public/status.html", context)
    if not ratelimit.allow("status_ip", ratelimit.client_ip(request)):
        return _limited(request)
    form = StatusCheckForm(request.POST)
    context["form"] = form
    if not form.is_valid() or form.cleaned_data.get("website"):
        return render(request, "helpdesk/public/status.html", context, status=400)
    number, last4 = form.cleaned_data["number"], form.cleaned_data["last4"]
    # Attempts per number are limited whether or not the number exists, so four digits cannot
    # be guessed and the limit itself reveals nothing.
    if not ratelimit.allow("status_number", number):
        return _limited(request)
    found = (
        HelpRequest.objects.select_related("team", "merged_into__team")
        .filter(number=number)
        .first()
    )
    stored = found.phone_last4 if found is not None else "0000"
    matches = hmac.compare_digest(stored.encode(), last4.encode()) and found is not None
    if not matches or found is None:
        context["not_found"] = True
        return render(request, "helpdesk/public/status.html", context)
    context["state"] = public_state(found)
    return render(request, "helpdesk/public/status.html", context)
