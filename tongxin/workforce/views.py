"""Workforce pages. Views translate requests into service calls; lists start from
`visible_to(user)`; outside the user's reach is 404. The volunteer registration is public and
uses the help form's anti-abuse (signed challenge, honeypot, database-backed rate limits)."""

import datetime as dt
import uuid
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Count, Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.dateparse import parse_date
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_protect
from django.views.decorators.http import require_POST

from tongxin.accounts.permissions import Perm, has_perm
from tongxin.audit.services import record_view
from tongxin.helpdesk import conf as helpdesk_conf
from tongxin.helpdesk.services import challenge, ratelimit
from tongxin.places.models import Place, PlaceKind
from tongxin.web.decorators import page
from tongxin.workforce.forms import CheckInForm, VolunteerForm
from tongxin.workforce.models import (
    Assignment,
    Attendance,
    Member,
    PartyBranch,
    Post,
    Team,
    Verification,
)
from tongxin.workforce.services import WorkforceError, current_incident, rule
from tongxin.workforce.services import suggest as sg
from tongxin.workforce.services.attendance import (
    check_in,
    check_out,
    fatigue,
    hours_worked,
    stretches,
)
from tongxin.workforce.services.coverage import QUALIFICATION_NAMES, coverage
from tongxin.workforce.services.placement import confinement
from tongxin.workforce.services.volunteers import Registration, register, verify

SHIFTS_PER_PAGE = 100


def _incident() -> Any:
    incident = current_incident()
    if incident is None:
        raise Http404
    return incident


def _day(request: HttpRequest) -> dt.date:
    return parse_date(request.GET.get("date") or "") or timezone.localdate()


# --- the public registration ----------------------------------------------------------------


def _limited(request: HttpRequest) -> HttpResponse:
    response = render(request, "workforce/public/limited.html", status=429)
    response["Retry-After"] = "600"
    return response


def _form_page(request: HttpRequest, form: VolunteerForm, status: int = 200) -> HttpResponse:
    issued = challenge.issue()
    if form.is_bound:
        data = form.data.copy()  # type: ignore[attr-defined]  # a QueryDict
        data["token"] = issued.token
        data["answer"] = ""
        data["document_number"] = ""  # never echoed back
        form.data = data
    else:
        form.initial["token"] = issued.token
    context = {"form": form, "question": issued.question}
    return render(request, "workforce/public/register.html", context, status=status)


def _hit(name: str, value: str, like: str) -> bool:
    """One hit on the help form's limiter, with the help form's limits, own counters."""
    limit, seconds = helpdesk_conf.rate_limit(like)
    return ratelimit.hit(name, value, limit, seconds)


@never_cache
@csrf_protect
def volunteer_register(request: HttpRequest) -> HttpResponse:
    incident = current_incident()
    if incident is None:
        return render(request, "workforce/public/closed.html")
    if request.method != "POST":
        return _form_page(request, VolunteerForm(incident=incident))
    ip = ratelimit.client_ip(request)
    if not (
        _hit("volunteer_ip", ip, "submit_ip") and _hit("volunteer_ip_day", ip, "submit_ip_day")
    ):
        return _limited(request)
    form = VolunteerForm(request.POST, incident=incident)
    if not form.is_valid():
        return _form_page(request, form, status=400)
    data = form.cleaned_data
    try:
        challenge.verify(data["token"], data["answer"], data.get("website", ""))
    except challenge.ChallengeFailed as exc:
        form.add_error("answer", str(exc))
        return _form_page(request, form, status=400)
    if not _hit("volunteer_phone", data["phone"].strip(), "submit_phone"):
        return _limited(request)
    try:
        register(
            incident,
            Registration(
                name=data["name"], document_number=data["document_number"], phone=data["phone"],
                skills=list(data.get("skills") or []), availability=data.get("availability", ""),
                area=data.get("area"), organisation=data.get("organisation"),
                skills_text=data.get("skills_text", ""),
            ),
        )  # fmt: skip
    except WorkforceError as exc:
        form.add_error(None, str(exc))
        return _form_page(request, form, status=400)
    # The same answer whether or not the phone was registered before.
    return redirect("volunteer_public:thanks")


@never_cache
def volunteer_thanks(request: HttpRequest) -> HttpResponse:
    return render(request, "workforce/public/thanks.html")


# --- coverage and suggestions ---------------------------------------------------------------


@page(Perm.VIEW_WORKFORCE)
def coverage_page(request: HttpRequest) -> HttpResponse:
    incident = _incident()
    day = _day(request)
    townships = Place.objects.visible_to(request.user).filter(kind=PlaceKind.TOWNSHIP)
    township = None
    raw = request.GET.get("township", "")
    if raw.isdigit():
        township = get_object_or_404(townships, pk=int(raw))
    report = coverage(incident, day, township=township, posts=Post.objects.visible_to(request.user))
    now = timezone.now()
    on_duty = list(
        Attendance.objects.filter(
            checked_out_at__isnull=True,
            member__in=Member.objects.visible_to(request.user).filter(incident=incident),
        )
        .order_by("checked_in_at")
        .values_list("member_id", "member__name", "post__name")
    )
    limit = float(rule(incident, "fatigue_max_hours"))
    hours = stretches(incident, [m for m, _n, _p in on_duty], now)
    tired = [
        {"name": name, "post": post, "hours": hours[m], "limit": limit}
        for m, name, post in on_duty
        if hours.get(m, 0) > limit
    ]
    # Gaps first, a hundred shifts a page: the command post reads the top of the list.
    shown = Paginator(report.shifts, SHIFTS_PER_PAGE).get_page(request.GET.get("page"))
    context = {
        "report": report, "shown": shown, "day": day, "prev": day - dt.timedelta(days=1),
        "next": day + dt.timedelta(days=1), "townships": townships, "township": township,
        "names": QUALIFICATION_NAMES, "tired": tired, "on_duty": len(on_duty),
        "can_manage": has_perm(request.user, Perm.MANAGE_WORKFORCE),
    }  # fmt: skip
    return render(request, "workforce/coverage.html", context)


@page(Perm.MANAGE_WORKFORCE)
def suggest_page(request: HttpRequest) -> HttpResponse:
    incident = _incident()
    day = parse_date(request.POST.get("date") or "") or _day(request)
    posts = Post.objects.visible_to(request.user)
    result = sg.suggest(incident, day, posts=posts)
    if request.method == "POST":
        done, refused = sg.apply(result, by=request.user)
        messages.success(request, _("已排班 %(n)d 人次") % {"n": done})
        for reason in refused[:5]:
            messages.warning(request, reason)
        return redirect(f"{request.path}?date={day.isoformat()}")
    return render(
        request,
        "workforce/suggest.html",
        {"result": result, "day": day, "names": QUALIFICATION_NAMES},
    )


# --- a member's own shifts and check-in -----------------------------------------------------


def _own_member(request: HttpRequest) -> Member:
    member = (
        Member.objects.filter(user_id=request.user.pk or 0)
        .select_related("incident__policy_edition")
        .first()
    )
    if member is None:
        raise Http404
    return member


def _me_context(
    request: HttpRequest, member: Member, form: CheckInForm | None = None
) -> dict[str, Any]:
    now = timezone.now()
    # A post sign's QR code opens this page with its code (?code=…): the member only confirms.
    raw = request.GET.get("code", "").strip().upper()
    scanned = raw if raw.isalnum() and len(raw) <= 12 else ""
    shifts = (
        Assignment.objects.filter(member=member, ends_at__gte=now - dt.timedelta(hours=12))
        .select_related("shift__post")
        .order_by("starts_at")
    )
    open_one = (
        Attendance.objects.filter(member=member, checked_out_at__isnull=True)
        .select_related("post")
        .first()
    )
    return {
        "member": member, "shifts": shifts, "open": open_one, "fatigue": fatigue(member, now),
        "hours": hours_worked(member, now), "names": QUALIFICATION_NAMES,
        "form": form or CheckInForm(initial={"client_id": uuid.uuid4().hex, "code": scanned}),
        "out_id": uuid.uuid4().hex,
    }  # fmt: skip


@page()
def my_shifts(request: HttpRequest) -> HttpResponse:
    member = _own_member(request)
    return render(request, "workforce/me.html", _me_context(request, member))


@page()
@require_POST
def my_check(request: HttpRequest) -> HttpResponse:
    member = _own_member(request)
    action = request.POST.get("action", "in")
    form = CheckInForm(request.POST)
    try:
        if action == "out":
            result = check_out(member, client_id=request.POST.get("client_id", ""))
            messages.success(
                request,
                _("已在 %(post)s 签退，本次 %(h).1f 小时")
                % {"post": result.attendance.post.name, "h": result.attendance.hours()},
            )
        else:
            if not form.is_valid():
                raise WorkforceError(_("请输入岗位码"))
            result = check_in(
                member, form.cleaned_data["code"], client_id=form.cleaned_data["client_id"]
            )
            messages.success(
                request, _("已在 %(post)s 签到") % {"post": result.attendance.post.name}
            )
        if result.fatigue.warning:
            messages.warning(request, result.fatigue.message())
    except WorkforceError as exc:
        messages.error(request, str(exc))
    return redirect("workforce:me")


# --- volunteers, certificates, branches -----------------------------------------------------


@page(Perm.MANAGE_WORKFORCE)
def volunteers(request: HttpRequest) -> HttpResponse:
    incident = _incident()
    status = request.GET.get("status", Verification.PENDING)
    if status not in Verification.values:
        status = Verification.PENDING
    rows = (
        Member.objects.visible_to(request.user)
        .filter(incident=incident, is_volunteer=True, verification=status)
        .select_related("area", "home", "organisation", "incident__policy_edition")
        .defer("phone", "document_number")
        .order_by("created_at")[:200]
    )
    listed = [(m, confinement(m)) for m in rows]
    return render(
        request,
        "workforce/volunteers.html",
        {"rows": listed, "status": status, "statuses": Verification.choices},
    )


@page(Perm.MANAGE_WORKFORCE)
@require_POST
def verify_volunteer(request: HttpRequest, pk: int) -> HttpResponse:
    member = get_object_or_404(Member.objects.visible_to(request.user), pk=pk, is_volunteer=True)
    try:
        verify(member, request.user, approve=request.POST.get("approve") != "0")
        messages.success(request, _("已核验 %(name)s") % {"name": member.name})
    except WorkforceError as exc:
        messages.error(request, str(exc))
    return redirect("workforce:volunteers")


@page()
def certificate(request: HttpRequest, pk: int) -> HttpResponse:
    """志愿服务时长证明: for staff who may see the member, and for the member themselves."""
    member = get_object_or_404(
        Member.objects.visible_to(request.user).select_related("organisation", "team"), pk=pk
    )
    if member.user_id != request.user.pk and not has_perm(request.user, Perm.VIEW_WORKFORCE):
        raise PermissionDenied
    record_view(member)
    rows = (
        Attendance.objects.filter(member=member, checked_out_at__isnull=False)
        .select_related("post")
        .order_by("checked_in_at")
    )
    total = round(sum(a.hours() for a in rows), 1)
    return render(
        request,
        "workforce/certificate.html",
        {"member": member, "rows": rows, "total": total, "today": timezone.localdate()},
    )


@page(Perm.VIEW_WORKFORCE)
def branches(request: HttpRequest) -> HttpResponse:
    incident = _incident()
    rows = (
        PartyBranch.objects.visible_to(request.user)
        .filter(incident=incident)
        .select_related("secretary", "team")
        .prefetch_related("posts", "activities")
        .annotate(member_count=Count("members", distinct=True))
        .order_by("dissolved_on", "founded_on", "name")
    )
    context: dict[str, Any] = {"rows": rows, "figures": None}
    if _jurisdiction_everywhere(request.user):
        # The organisation department's county figures (counts only) for county-wide roles.
        from tongxin.workforce.models import PartyStatus, TeamKind
        from tongxin.workforce.services.figures import figures

        data = figures(incident)
        kinds, statuses = dict(TeamKind.choices), dict(PartyStatus.choices)
        by_kind = data["mobilised_by_kind"]
        context["figures"] = {
            "by_kind": [(kinds.get(k, _("未分队")), n) for k, n in by_kind.items()],
            "by_status": [(statuses[k], n) for k, n in data["party_members_by_status"].items()],
            "by_township": list(data["party_members_by_township"].items()),
            "on_duty": data["party_members_on_duty"], "branches": data["branches"],
            "mobilised": data["mobilised"],
        }  # fmt: skip
    return render(request, "workforce/branches.html", context)


def _jurisdiction_everywhere(user: Any) -> bool:
    from tongxin.accounts.jurisdiction import jurisdiction_of

    return bool(jurisdiction_of(user).everywhere)


@page(Perm.VIEW_WORKFORCE)
def teams(request: HttpRequest) -> HttpResponse:
    """Who came, from where, how many, where they sleep, until when; and how many are on duty."""
    incident = _incident()
    on_duty = Count(
        "members__attendances",
        filter=Q(members__attendances__checked_out_at__isnull=True),
        distinct=True,
    )
    rows = (
        Team.objects.visible_to(request.user)
        .filter(incident=incident)
        .select_related("leader")
        .annotate(member_count=Count("members", distinct=True), on_duty=on_duty)
        .order_by("kind", "name")
    )
    return render(request, "workforce/teams.html", {"rows": rows})
