"""The command post's workforce pages: teams and their members (by hand or from the sending
organisation's list), posts with their shifts and demand, assignments (with the suggestion
for the shift) and temporary party branches. Every write is a service call; every object is
found through `visible_to(user)` (outside it: 404)."""

import datetime as dt
import tempfile
from pathlib import Path
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db.models import Count, Q, QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from tongxin.accounts.activation import activation_path
from tongxin.accounts.permissions import Perm, has_perm
from tongxin.imports.readers import ImportFileError
from tongxin.web.decorators import page
from tongxin.web.forms import attempt
from tongxin.workforce.forms import (
    ActivityForm,
    BranchForm,
    BranchPostsForm,
    DemandForm,
    DemobiliseForm,
    DissolveForm,
    MemberForm,
    MemberImportForm,
    OrganisationForm,
    PostForm,
    ShiftForm,
    TeamForm,
)
from tongxin.workforce.models import (
    Assignment,
    Member,
    PartyBranch,
    Post,
    Qualification,
    Shift,
    Team,
    Verification,
    VolunteerOrg,
)
from tongxin.workforce.services import WorkforceError
from tongxin.workforce.services import posts as post_services
from tongxin.workforce.services import suggest as sg
from tongxin.workforce.services import teams as team_services
from tongxin.workforce.services.coverage import QUALIFICATION_NAMES, coverage
from tongxin.workforce.services.imports import REASONS, import_members
from tongxin.workforce.services.shifts import assign, create_shift, unassign

SEARCH_LIMIT = 20
MINUTE = "%Y-%m-%dT%H:%M"
SHIFTS_SHOWN = 60
POSTS_SHOWN = 300


def _incident() -> Any:
    from tongxin.workforce.views import _incident as incident

    return incident()


def _can_manage(request: HttpRequest) -> bool:
    return has_perm(request.user, Perm.MANAGE_WORKFORCE)


def _fail(request: HttpRequest, exc: Exception) -> None:
    messages.error(request, str(exc))


def search_members(request: HttpRequest, incident: Any, base: QuerySet[Member]) -> list[Member]:
    """Up to twenty members by name (part of it) or by the whole mobile number."""
    text = request.GET.get("q", "").strip()[:50]
    if not text:
        return []
    found = base.filter(incident=incident)
    if text.isdigit() and len(text) == 11:
        found = found.with_phone(text)  # type: ignore[attr-defined]
    else:
        found = found.filter(name__icontains=text)
    return list(
        found.select_related("team")
        .defer("phone", "document_number")
        .order_by("name", "pk")[:SEARCH_LIMIT]
    )


# --- teams and members -----------------------------------------------------------------------


@page(Perm.MANAGE_WORKFORCE)
def team_new(request: HttpRequest) -> HttpResponse:
    incident = _incident()
    form = TeamForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        team = attempt(
            form, WorkforceError, team_services.create_team, incident, **form.cleaned_data
        )
        if team is not None:
            messages.success(request, _("已新建队伍 %(n)s") % {"n": team.name})
            return redirect("workforce:team", team.pk)
    return render(request, "workforce/team_form.html", {"form": form})


def _team_context(request: HttpRequest, team: Team, **extra: Any) -> dict[str, Any]:
    members = (
        team.members.select_related("user")
        .defer("phone", "document_number")
        .annotate(on_duty=Count("attendances", filter=Q(attendances__checked_out_at__isnull=True)))
        .order_by("name", "pk")
    )
    initial = {f: getattr(team, f) for f in TeamForm.base_fields if hasattr(team, f)}
    context = {
        "team": team, "members": members, "can_manage": _can_manage(request),
        "form": TeamForm(initial=initial, team=team), "member_form": MemberForm(),
        "import_form": MemberImportForm(), "reasons": REASONS,
        "demobilise_form": DemobiliseForm(initial={"on": timezone.localdate()}),
    }  # fmt: skip
    context.update(extra)
    return context


def _team(request: HttpRequest, pk: int) -> Team:
    return get_object_or_404(
        Team.objects.visible_to(request.user).select_related("leader", "incident"), pk=pk
    )


@page(Perm.VIEW_WORKFORCE)
def team_detail(request: HttpRequest, pk: int) -> HttpResponse:
    team = _team(request, pk)
    if request.method != "POST":
        return render(request, "workforce/team.html", _team_context(request, team))
    if not _can_manage(request):
        raise PermissionDenied
    form = TeamForm(request.POST, team=team)
    if form.is_valid():
        saved = attempt(form, WorkforceError, team_services.update_team, team, **form.cleaned_data)
        if saved is not None:
            messages.success(request, _("已保存队伍信息"))
            return redirect("workforce:team", team.pk)
    return render(
        request, "workforce/team.html", _team_context(request, team, form=form), status=400
    )


@page(Perm.MANAGE_WORKFORCE)
@require_POST
def team_add_member(request: HttpRequest, pk: int) -> HttpResponse:
    team = _team(request, pk)
    form = MemberForm(request.POST)
    if form.is_valid():
        member = attempt(
            form, WorkforceError, team_services.register_member, team, **form.cleaned_data
        )
        if member is not None:
            messages.success(request, _("已登记队员 %(n)s") % {"n": member.name})
            return redirect("workforce:team", team.pk)
    context = _team_context(request, team, member_form=form)
    return render(request, "workforce/team.html", context, status=400)


def _import_upload(form: MemberImportForm, incident: Any, **where: str) -> Any:
    """The uploaded list, read like `tongxin workforce import`; None when it cannot be read
    (the reason is on the form)."""
    if not form.is_valid():
        return None
    upload = form.cleaned_data["file"]
    suffix = Path(upload.name).suffix.lower()
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / f"members{suffix}"
        with path.open("wb") as out:
            for chunk in upload.chunks():
                out.write(chunk)
        try:
            return import_members(path, incident, **where)
        except ImportFileError as exc:
            form.add_error("file", str(exc))
    return None


@page(Perm.MANAGE_WORKFORCE)
@require_POST
def team_import(request: HttpRequest, pk: int) -> HttpResponse:
    """The sending organisation's list (`tongxin workforce import --team`)."""
    team = _team(request, pk)
    form = MemberImportForm(request.POST, request.FILES)
    result = _import_upload(form, team.incident, team=team.name)
    status = 200 if result is not None else 400
    context = _team_context(request, team, import_form=form, imported=result)
    return render(request, "workforce/team.html", context, status=status)


@page(Perm.MANAGE_WORKFORCE)
@require_POST
def team_demobilise(request: HttpRequest, pk: int) -> HttpResponse:
    """撤离, with the edition's post-duty observation."""
    team = _team(request, pk)
    form = DemobiliseForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("请填写撤离日期"))
        return redirect("workforce:team", team.pk)
    try:
        team_services.demobilise(team, form.cleaned_data["on"])
        messages.success(request, _("%(n)s 已撤离") % {"n": team.name})
    except WorkforceError as exc:
        _fail(request, exc)
    return redirect("workforce:team", team.pk)


# --- volunteer organisations (county-wide: their volunteers live anywhere) --------------------


def _county_wide(request: HttpRequest) -> None:
    from django.http import Http404

    from tongxin.accounts.jurisdiction import jurisdiction_of

    if not jurisdiction_of(request.user).everywhere:
        raise Http404


@page(Perm.MANAGE_WORKFORCE)
def organisations(request: HttpRequest) -> HttpResponse:
    _county_wide(request)
    incident = _incident()
    form = OrganisationForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        org = attempt(
            form, WorkforceError, team_services.create_organisation, incident, data["name"],
            data["kind"],
        )  # fmt: skip
        if org is not None:
            messages.success(request, _("已登记志愿组织 %(n)s") % {"n": org.name})
            return redirect("workforce:organisation", org.pk)
    rows = (
        VolunteerOrg.objects.filter(incident=incident)
        .select_related("coordinator")
        .annotate(
            member_count=Count("members"),
            verified=Count("members", filter=Q(members__verification=Verification.VERIFIED)),
        )
        .order_by("name")
    )
    return render(request, "workforce/organisations.html", {"rows": rows, "form": form})


def _organisation_page(
    request: HttpRequest, org: VolunteerOrg, status: int = 200, **extra: Any
) -> HttpResponse:
    members = (
        Member.objects.visible_to(request.user)
        .filter(organisation=org)
        .defer("phone", "document_number")
        .order_by("name", "pk")[:500]
    )
    context = {"org": org, "members": members, "import_form": MemberImportForm()} | extra
    return render(request, "workforce/organisation.html", context, status=status)


@page(Perm.MANAGE_WORKFORCE)
def organisation_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """An organisation's volunteers, its coordinator, and its list (bulk registration: the
    volunteers wait for verification like everyone who registers)."""
    _county_wide(request)
    org = get_object_or_404(VolunteerOrg.objects.select_related("coordinator"), pk=pk)
    if request.method != "POST":
        return _organisation_page(request, org)
    if request.POST.get("action") == "coordinator":
        raw = request.POST.get("member", "")
        member = get_object_or_404(
            Member.objects.visible_to(request.user), pk=int(raw) if raw.isdigit() else 0
        )
        try:
            team_services.set_coordinator(org, member)
            messages.success(request, _("%(n)s 任协调人") % {"n": member.name})
        except WorkforceError as exc:
            _fail(request, exc)
        return redirect("workforce:organisation", org.pk)
    form = MemberImportForm(request.POST, request.FILES)
    result = _import_upload(form, org.incident, organisation=org.name)
    status = 200 if result is not None else 400
    return _organisation_page(request, org, status, import_form=form, imported=result)


def _member(request: HttpRequest, pk: int) -> Member:
    return get_object_or_404(
        Member.objects.visible_to(request.user).select_related("team", "incident", "user"), pk=pk
    )


@page(Perm.MANAGE_WORKFORCE)
def member_edit(request: HttpRequest, pk: int) -> HttpResponse:
    member = _member(request, pk)
    initial = {
        "name": member.name, "qualifications": member.qualifications,
        "party_status": member.party_status,
    }  # fmt: skip
    form = MemberForm(request.POST or None, initial=initial, editing=True)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        saved = attempt(form, WorkforceError, team_services.update_member, member, **data)
        if saved is not None:
            messages.success(request, _("已保存 %(n)s") % {"n": member.name})
            if member.team_id:
                return redirect("workforce:team", member.team_id)
            return redirect("workforce:member", member.pk)
    return render(request, "workforce/member_form.html", {"form": form, "member": member})


@page(Perm.MANAGE_WORKFORCE)
@require_POST
def member_account(request: HttpRequest, pk: int) -> HttpResponse:
    """开通登录: the one-time activation link is shown once, to hand to the member."""
    member = _member(request, pk)
    try:
        key = team_services.open_account(member, request.user)
    except WorkforceError as exc:
        _fail(request, exc)
        return redirect("workforce:member", member.pk)
    link = request.build_absolute_uri(activation_path(key))
    return render(request, "workforce/account_opened.html", {"member": member, "link": link})


# --- posts and shifts ------------------------------------------------------------------------


def _post(request: HttpRequest, pk: int) -> Post:
    return get_object_or_404(
        Post.objects.visible_to(request.user).select_related("place", "incident"), pk=pk
    )


@page(Perm.VIEW_WORKFORCE)
def posts(request: HttpRequest) -> HttpResponse:
    incident = _incident()
    rows = (
        Post.objects.visible_to(request.user)
        .filter(incident=incident)
        .select_related("place")
        .order_by("-active", "name", "pk")[:POSTS_SHOWN]
    )
    context = {"rows": rows, "can_manage": _can_manage(request), "limit": POSTS_SHOWN}
    return render(request, "workforce/posts.html", context)


@page(Perm.MANAGE_WORKFORCE)
def post_new(request: HttpRequest) -> HttpResponse:
    incident = _incident()
    form = PostForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        post = attempt(
            form, WorkforceError, post_services.create_post, incident, **form.cleaned_data
        )
        if post is not None:
            messages.success(
                request, _("已新建岗位 %(n)s，岗位码 %(c)s") % {"n": post.name, "c": post.code}
            )
            return redirect("workforce:post", post.pk)
    return render(request, "workforce/post_form.html", {"form": form})


def _post_context(request: HttpRequest, post: Post, **extra: Any) -> dict[str, Any]:
    since = timezone.now() - dt.timedelta(days=1)
    shifts = (
        Shift.objects.filter(post=post, ends_at__gte=since)
        .prefetch_related("demands")
        .annotate(assigned=Count("assignments"))
        .order_by("starts_at")[:SHIFTS_SHOWN]
    )
    rows = [(s, sum(d.count for d in s.demands.all())) for s in shifts]
    initial = {
        "name": post.name, "kind": post.kind, "place": post.place_id,
        "site_name": post.site_name, "active": post.active,
    }  # fmt: skip
    today = timezone.localdate()
    context = {
        "post": post, "shifts": rows, "can_manage": _can_manage(request),
        "form": PostForm(initial=initial, user=request.user),
        "shift_form": ShiftForm(initial={"day": today}),
    }  # fmt: skip
    context.update(extra)
    return context


@page(Perm.VIEW_WORKFORCE)
def post_detail(request: HttpRequest, pk: int) -> HttpResponse:
    post = _post(request, pk)
    if request.method != "POST":
        return render(request, "workforce/post.html", _post_context(request, post))
    if not _can_manage(request):
        raise PermissionDenied
    form = PostForm(request.POST, user=request.user)
    if form.is_valid():
        saved = attempt(form, WorkforceError, post_services.update_post, post, **form.cleaned_data)
        if saved is not None:
            messages.success(request, _("已保存岗位信息"))
            return redirect("workforce:post", post.pk)
    return render(
        request, "workforce/post.html", _post_context(request, post, form=form), status=400
    )


@page(Perm.MANAGE_WORKFORCE)
@require_POST
def shift_new(request: HttpRequest, pk: int) -> HttpResponse:
    post = _post(request, pk)
    form = ShiftForm(request.POST)
    if form.is_valid():
        starts, ends = form.times()
        shift = attempt(
            form, WorkforceError, create_shift, post, starts, ends, form.demand(),
            label=form.cleaned_data["label"],
        )  # fmt: skip
        if shift is not None:
            messages.success(request, _("已新建班次"))
            return redirect("workforce:shift", shift.pk)
    context = _post_context(request, post, shift_form=form)
    return render(request, "workforce/post.html", context, status=400)


def _shift(request: HttpRequest, pk: int) -> Shift:
    return get_object_or_404(
        Shift.objects.filter(post__in=Post.objects.visible_to(request.user)).select_related(
            "post__incident__policy_edition", "post__place"
        ),
        pk=pk,
    )


def _shift_context(request: HttpRequest, shift: Shift, **extra: Any) -> dict[str, Any]:
    post = shift.post
    day = timezone.localtime(shift.starts_at).date()
    only_post = Post.objects.filter(pk=post.pk)
    report = coverage(post.incident, day, posts=only_post)
    lines = next((sc.lines for sc in report.shifts if sc.shift.pk == shift.pk), [])
    assigned = (
        Assignment.objects.filter(shift=shift)
        .select_related("member__team")
        .defer("member__phone", "member__document_number")
        .order_by("qualification", "member__name")
    )
    proposals: list[sg.Proposal] = []
    can_manage = _can_manage(request)
    if can_manage and any(line.gap for line in lines):
        proposals = [
            p
            for p in sg.suggest(post.incident, day, posts=only_post).proposals
            if p.shift_id == shift.pk
        ]
    demanded = [line.qualification for line in lines] or list(Qualification.values)
    found = []
    if can_manage:
        visible = Member.objects.visible_to(request.user).filter(verification=Verification.VERIFIED)
        found = search_members(request, post.incident, visible)
    demand_form = DemandForm(initial={f"need_{line.qualification}": line.demand for line in lines})
    context = {
        "shift": shift, "post": post, "lines": lines, "assigned": assigned,
        "proposals": proposals, "found": found, "q": request.GET.get("q", "")[:50],
        "demanded": [(q, QUALIFICATION_NAMES[q]) for q in demanded], "can_manage": can_manage,
        "demand_form": demand_form, "names": QUALIFICATION_NAMES,
    }  # fmt: skip
    context.update(extra)
    return context


@page(Perm.VIEW_WORKFORCE)
def shift_detail(request: HttpRequest, pk: int) -> HttpResponse:
    shift = _shift(request, pk)
    return render(request, "workforce/shift.html", _shift_context(request, shift))


@page(Perm.MANAGE_WORKFORCE)
@require_POST
def shift_assign(request: HttpRequest, pk: int) -> HttpResponse:
    """One member on the shift in one qualification (a suggestion's button or a search's):
    refused without the qualification, unverified, outside their zone, or double-booked."""
    shift = _shift(request, pk)
    raw = request.POST.get("member", "")
    member = get_object_or_404(
        Member.objects.visible_to(request.user).select_related(
            "incident__policy_edition", "home", "area"
        ),
        pk=int(raw) if raw.isdigit() else 0,
        incident_id=shift.post.incident_id,
    )
    qualification = request.POST.get("qualification", "")
    if qualification not in Qualification.values:
        messages.error(request, _("请选择资质"))
        return redirect("workforce:shift", shift.pk)
    try:
        assign(shift, member, qualification, by=request.user)
    except WorkforceError as exc:
        _fail(request, exc)
    else:
        messages.success(
            request,
            _("已安排 %(name)s（%(q)s）")
            % {"name": member.name, "q": QUALIFICATION_NAMES[qualification]},
        )
    return redirect("workforce:shift", shift.pk)


@page(Perm.MANAGE_WORKFORCE)
@require_POST
def shift_demand(request: HttpRequest, pk: int) -> HttpResponse:
    shift = _shift(request, pk)
    form = DemandForm(request.POST)
    if form.is_valid():
        try:
            post_services.set_demand(shift, form.demand())
        except WorkforceError as exc:
            _fail(request, exc)
        else:
            messages.success(request, _("已保存班次需求"))
            return redirect("workforce:shift", shift.pk)
    context = _shift_context(request, shift, demand_form=form)
    return render(request, "workforce/shift.html", context, status=400)


@page(Perm.MANAGE_WORKFORCE)
@require_POST
def assignment_remove(request: HttpRequest, pk: int) -> HttpResponse:
    found = get_object_or_404(
        Assignment.objects.filter(shift__post__in=Post.objects.visible_to(request.user)), pk=pk
    )
    shift_id = found.shift_id
    try:
        unassign(found)
        messages.success(request, _("已取消排班"))
    except WorkforceError as exc:
        _fail(request, exc)
    return redirect("workforce:shift", shift_id)


# --- temporary party branches ----------------------------------------------------------------


def _branch(request: HttpRequest, pk: int) -> PartyBranch:
    return get_object_or_404(
        PartyBranch.objects.visible_to(request.user).select_related("secretary", "team", "place"),
        pk=pk,
    )


@page(Perm.MANAGE_WORKFORCE)
def branch_new(request: HttpRequest) -> HttpResponse:
    incident = _incident()
    form = BranchForm(request.POST or None, user=request.user, incident=incident)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        branch = attempt(
            form, WorkforceError, team_services.found_branch, incident, data["name"],
            scope=data["scope"], founded_on=data["founded_on"], team=data["team"],
            place=data["place"], site_name=data["site_name"],
        )  # fmt: skip
        if branch is not None:
            messages.success(request, _("已成立 %(n)s") % {"n": branch.name})
            return redirect("workforce:branch", branch.pk)
    return render(request, "workforce/branch_form.html", {"form": form})


@page(Perm.VIEW_WORKFORCE)
def branch_detail(request: HttpRequest, pk: int) -> HttpResponse:
    branch = _branch(request, pk)
    can_manage = _can_manage(request)
    found: list[Member] = []
    if can_manage and branch.dissolved_on is None:
        party = Member.objects.visible_to(request.user).party()  # type: ignore[attr-defined]
        found = search_members(request, branch.incident, party)
    context = {
        "branch": branch,
        "members": branch.members.select_related("team").defer("phone", "document_number"),
        "activities": branch.activities.all()[:100],
        "can_manage": can_manage, "found": found, "q": request.GET.get("q", "")[:50],
        "activity_form": ActivityForm(initial={"at": timezone.localtime().strftime(MINUTE)}),
        "dissolve_form": DissolveForm(initial={"dissolved_on": timezone.localdate()}),
        "posts": branch.posts.order_by("name"),
        "posts_form": BranchPostsForm(
            initial={"posts": list(branch.posts.values_list("pk", flat=True))},
            user=request.user, incident=branch.incident,
        ) if can_manage and branch.dissolved_on is None else None,
    }  # fmt: skip
    return render(request, "workforce/branch.html", context)


@page(Perm.MANAGE_WORKFORCE)
@require_POST
def branch_posts(request: HttpRequest, pk: int) -> HttpResponse:
    branch = _branch(request, pk)
    form = BranchPostsForm(request.POST, user=request.user, incident=branch.incident)
    if not form.is_valid():
        messages.error(request, _("请选择岗位"))
        return redirect("workforce:branch", branch.pk)
    # Posts outside the user's reach stay as they were.
    hidden = list(branch.posts.exclude(pk__in=form.fields["posts"].queryset.values("pk")))  # type: ignore[attr-defined]
    try:
        team_services.set_branch_posts(branch, [*form.cleaned_data["posts"], *hidden])
        messages.success(request, _("已保存负责岗位"))
    except WorkforceError as exc:
        _fail(request, exc)
    return redirect("workforce:branch", branch.pk)


def _branch_member(request: HttpRequest, branch: PartyBranch) -> Member:
    raw = request.POST.get("member", "")
    return get_object_or_404(
        Member.objects.visible_to(request.user),
        pk=int(raw) if raw.isdigit() else 0,
        incident_id=branch.incident_id,
    )


@page(Perm.MANAGE_WORKFORCE)
@require_POST
def branch_members(request: HttpRequest, pk: int) -> HttpResponse:
    """Add a member, remove one, or make one the secretary (`action`)."""
    branch = _branch(request, pk)
    member = _branch_member(request, branch)
    action = request.POST.get("action", "add")
    try:
        if action == "remove":
            team_services.remove_branch_member(branch, member)
            messages.success(request, _("已移出 %(n)s") % {"n": member.name})
        elif action == "secretary":
            team_services.set_secretary(branch, member)
            messages.success(request, _("%(n)s 任支部书记") % {"n": member.name})
        else:
            team_services.add_branch_members(branch, [member])
            messages.success(request, _("已编入 %(n)s") % {"n": member.name})
    except WorkforceError as exc:
        _fail(request, exc)
    return redirect("workforce:branch", branch.pk)


@page(Perm.MANAGE_WORKFORCE)
@require_POST
def branch_activity(request: HttpRequest, pk: int) -> HttpResponse:
    branch = _branch(request, pk)
    form = ActivityForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("请填写活动的类别、内容和时间"))
        return redirect("workforce:branch", branch.pk)
    data = form.cleaned_data
    try:
        team_services.log_activity(branch, data["kind"], data["title"], data["at"], data["note"])
        messages.success(request, _("已记录支部活动"))
    except WorkforceError as exc:
        _fail(request, exc)
    return redirect("workforce:branch", branch.pk)


@page(Perm.MANAGE_WORKFORCE)
@require_POST
def branch_dissolve(request: HttpRequest, pk: int) -> HttpResponse:
    branch = _branch(request, pk)
    form = DissolveForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("请填写撤销日期"))
        return redirect("workforce:branch", branch.pk)
    try:
        team_services.dissolve(branch, form.cleaned_data["dissolved_on"])
        messages.success(request, _("%(n)s 已撤销") % {"n": branch.name})
    except WorkforceError as exc:
        _fail(request, exc)
    return redirect(reverse("workforce:branch", args=[branch.pk]))


@page(Perm.VIEW_WORKFORCE)
def post_sign(request: HttpRequest, pk: int) -> HttpResponse:
    """岗位牌, printed and put up at the post: the code, and a QR code a member's phone camera
    opens as their check-in page with the code filled in."""
    import segno

    post = _post(request, pk)
    url = request.build_absolute_uri(f"{reverse('workforce:me')}?code={post.code}")
    svg = segno.make(url, error="m").svg_inline(scale=8, title=post.code)
    return render(request, "workforce/post_sign.html", {"post": post, "url": url, "svg": svg})
