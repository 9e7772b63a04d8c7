"""流调 pages: the investigator's workbench, the case page (timeline, contacts, derive and
confirm), the chain graph, the public trajectory notice, contacts for grids, venues and
check-ins, and 协查. Views translate; the rules are in `tracing.services`.

Cases (who they are) are for investigators and the command post; grid staff and units see the
contacts living in their area, with level, dates and test days, never the case.
"""

from typing import Any

from django.contrib import messages as flash
from django.core.exceptions import PermissionDenied
from django.db.models import Count, Q
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.dateparse import parse_date
from django.utils.translation import gettext as _

from tongxin.accounts.permissions import Perm, has_perm
from tongxin.audit.models import AuditAction
from tongxin.audit.services import record
from tongxin.core import idnumbers
from tongxin.people.models import DocumentType, Person
from tongxin.sampling.models import PositivePerson
from tongxin.tracing.models import (
    Case,
    Channel,
    Classification,
    Contact,
    ContactStatus,
    Level,
    Management,
    ManagementStatus,
    OutsidePerson,
    Stay,
    Venue,
    VenueKind,
)
from tongxin.tracing.services import TracingError, confirm_contacts
from tongxin.tracing.services.access import incident_for, visible_case, visible_management
from tongxin.tracing.services.assist import export_workbook, import_assist, outgoing
from tongxin.tracing.services.cases import (
    case_from_positive,
    create_case,
    deadlines,
    mark_step_done,
    overdue_steps,
    positives_without_case,
    prefill_timeline,
    reclassify,
)
from tongxin.tracing.services.chain import chain, notice
from tongxin.tracing.services.checkins import import_file
from tongxin.tracing.services.copresence import at_venue, overlapping_person
from tongxin.tracing.services.derive import derive_for_case
from tongxin.tracing.services.followup import missed_counts, test_days
from tongxin.tracing.services.listing import import_line_listing, import_venues
from tongxin.tracing.services.management import reject_contacts
from tongxin.tracing.services.reports import counts, mask_name, source_label
from tongxin.tracing.services.rules import MissingRule
from tongxin.tracing.services.sheets import SheetError, parse_time
from tongxin.web.decorators import page

MAX_UPLOAD = 50 * 1024 * 1024


def _incident(request: HttpRequest) -> Any:
    raw = request.GET.get("incident") or request.POST.get("incident")
    return incident_for(request.user, int(raw) if raw and raw.isdigit() else None)


def _can_manage(request: HttpRequest) -> bool:
    return has_perm(request.user, Perm.MANAGE_TRACING)


def _require_manage(request: HttpRequest) -> None:
    if not _can_manage(request):
        raise PermissionDenied


def _checked_contacts(request: HttpRequest, qs: Any) -> list[Contact]:
    ids = [int(i) for i in request.POST.getlist("contact") if i.isdigit()]
    found = list(qs.filter(pk__in=ids).select_related("management"))
    if len(found) != len(set(ids)):
        raise Http404
    return found


# --- workbench ------------------------------------------------------------------------------


@page(Perm.VIEW_CONTACTS)
def workbench(request: HttpRequest) -> HttpResponse:
    """Investigators: positives to open as cases, cases with their deadlines, candidates to
    confirm, contacts by level and status. Anyone else goes to their contacts list."""
    if not has_perm(request.user, Perm.VIEW_CASES):
        return redirect("tracing:contacts")
    incident = _incident(request)
    if request.method == "POST":
        _require_manage(request)
        if "positive" in request.POST:
            positive = get_object_or_404(
                PositivePerson.objects.visible_to(request.user).select_related("round", "tube"),
                pk=request.POST.get("positive") or 0,
                round__incident=incident,
            )
            channel = request.POST.get("channel") or Channel.COMMUNITY
            if channel not in Channel.values:
                raise Http404
            try:
                case = case_from_positive(positive, channel=channel, by=request.user)
            except TracingError as exc:
                flash.error(request, str(exc))
                return redirect("tracing:workbench")
            flash.success(request, _("已立案：%(case)s") % {"case": case.label})
            return redirect("tracing:case", case.pk)
        contacts = _checked_contacts(
            request, Contact.objects.visible_to(request.user).filter(incident=incident)
        )
        n = confirm_contacts(contacts, request.user)
        flash.success(request, _("已确认 %(n)d 名接触者") % {"n": n})
        return redirect("tracing:workbench")
    now = timezone.now()
    cases = list(
        Case.objects.visible_to(request.user)
        .filter(incident=incident)
        .select_related("incident__policy_edition", "person", "outside_person")
        .annotate(
            n_candidates=Count("contacts", filter=Q(contacts__status=ContactStatus.CANDIDATE)),
            n_contacts=Count("contacts", filter=Q(contacts__status=ContactStatus.CONFIRMED)),
        )
    )
    try:
        for c in cases:
            c.due = deadlines(c)  # type: ignore[attr-defined]
            c.overdue = overdue_steps(c, now)  # type: ignore[attr-defined]
    except MissingRule as exc:
        flash.error(request, _("方案缺少流调规则：%(key)s") % {"key": exc})
    candidates = list(
        Contact.objects.visible_to(request.user)
        .filter(incident=incident, status=ContactStatus.CANDIDATE)
        .select_related(
            "management__person", "management__outside_person", "source_case", "source_management"
        )
        .order_by("level", "source_case__number", "pk")[:300]
    )
    for link in candidates:
        link.source = source_label(link)  # type: ignore[attr-defined]
    return render(
        request,
        "tracing/workbench.html",
        {
            "incident": incident,
            "positives": positives_without_case(incident).filter(
                pk__in=PositivePerson.objects.visible_to(request.user).values("pk")
            )[:50],
            "channels": Channel.choices,
            "cases": cases,
            "candidates": candidates,
            "counts": counts(Management.objects.filter(incident=incident)),
            "levels": Level.choices,
            "statuses": [s for s in ManagementStatus.choices if s[0] != "candidate"],
            "can_manage": _can_manage(request),
        },
    )


# --- cases ----------------------------------------------------------------------------------


@page(Perm.VIEW_CASES)
def case_page(request: HttpRequest, pk: int) -> HttpResponse:
    case = visible_case(request.user, pk, audit=request.method == "GET")
    if request.method == "POST":
        _require_manage(request)
        return _case_action(request, case)
    links = list(
        case.contacts.select_related("management__person", "management__outside_person").order_by(
            "status", "-level", "pk"
        )
    )
    secondary = list(
        Contact.objects.filter(source_management__contacts__source_case=case)
        .exclude(status=ContactStatus.REJECTED)
        .select_related("management__person", "management__outside_person", "source_management")
        .distinct()
        .order_by("status", "pk")
    )
    person = case.person or case.outside_person
    return render(
        request,
        "tracing/case.html",
        {
            "case": case,
            "person": person,
            "masked_name": mask_name(person.name) if person else "",
            "deadlines": deadlines(case),
            "overdue": overdue_steps(case),
            "stays": case.stays.select_related("venue", "place"),
            "links": links,
            "secondary": secondary,
            "history": case.classifications.all(),
            "classifications": Classification.choices,
            "venues": Venue.objects.order_by("name")[:500],
            "can_manage": _can_manage(request),
        },
    )


def _case_action(request: HttpRequest, case: Case) -> HttpResponse:
    action = request.POST.get("action", "")
    try:
        if action == "derive":
            contacts = derive_for_case(case)
            waiting = sum(1 for c in contacts if c.status == ContactStatus.CANDIDATE)
            flash.success(
                request, _("已推导候选接触者 %(n)d 名，请逐一或批量确认") % {"n": waiting}
            )
        elif action in ("confirm", "reject"):
            qs = Contact.objects.visible_to(request.user).filter(incident=case.incident)
            contacts = _checked_contacts(request, qs)
            if action == "confirm":
                n = confirm_contacts(contacts, request.user)
                flash.success(request, _("已确认 %(n)d 名接触者") % {"n": n})
            else:
                n = reject_contacts(contacts, request.user)
                flash.success(request, _("已排除 %(n)d 名") % {"n": n})
        elif action == "reclassify":
            reclassify(case, request.POST.get("classification", ""), by=request.user)
            flash.success(request, _("分类已更新"))
        elif action in ("core_information", "report"):
            mark_step_done(case, action)
        elif action == "prefill":
            n = prefill_timeline(case)
            flash.success(request, _("已从扫码记录补入 %(n)d 条轨迹") % {"n": n})
        elif action == "stay":
            _add_stay(request, case)
        else:
            raise Http404
    except (TracingError, ValueError, MissingRule) as exc:
        flash.error(request, str(exc))
    return redirect("tracing:case", case.pk)


def _add_stay(request: HttpRequest, case: Case) -> None:
    start, end = (
        parse_time(request.POST.get("started_at")),
        parse_time(request.POST.get("ended_at")),
    )
    if start is None or end is None or end < start:
        raise TracingError(_("请填写有效的开始和结束时间"))
    venue = None
    if request.POST.get("venue"):
        venue = get_object_or_404(Venue, pk=request.POST["venue"])
    address = request.POST.get("address", "").strip()[:300]
    if venue is None and not address:
        raise TracingError(_("请选择场所或填写地址"))
    Stay.objects.create(
        incident=case.incident,
        case=case,
        venue=venue,
        address=address or (venue.address if venue else ""),
        started_at=start,
        ended_at=end,
        crowd=request.POST.get("crowd", "")[:100],
        ventilation=request.POST.get("ventilation", "")[:100],
        masks=request.POST.get("masks", "")[:100],
        companions=request.POST.get("companions", "")[:300],
    )
    flash.success(request, _("已添加轨迹"))


@page(Perm.MANAGE_TRACING)
def new_case(request: HttpRequest) -> HttpResponse:
    """A case by hand: the person by ID number (a resident, or kept as an outside person)."""
    incident = _incident(request)
    error = ""
    listing = None
    upload = request.FILES.get("listing") if request.method == "POST" else None
    if upload is not None:
        try:
            listing = import_line_listing(
                incident, upload.read(), upload.name or "", by=request.user
            )
        except SheetError as exc:
            error = str(exc)
    elif request.method == "POST":
        number = idnumbers.normalize(request.POST.get("document_number", ""))
        reported = parse_time(request.POST.get("reported_at")) or timezone.now()
        channel = request.POST.get("channel", "")
        if not idnumbers.is_valid(number):
            error = _("证件号码无效")
        elif channel not in Channel.values:
            error = _("请选择发现途径")
        else:
            person = Person.objects.with_document(DocumentType.RESIDENT_ID, number).first()
            outside = None
            if person is None:
                outside = (
                    OutsidePerson.objects.filter(incident=incident)
                    .with_document(DocumentType.RESIDENT_ID, number)
                    .first()
                ) or OutsidePerson.objects.create(
                    incident=incident,
                    name=request.POST.get("name", "")[:50],
                    document_number=number,
                    phone=request.POST.get("phone", "")[:20],
                )
            try:
                case = create_case(
                    incident,
                    person=person,
                    outside=outside,
                    channel=channel,
                    reported_at=reported,
                    onset_date=parse_date(request.POST.get("onset_date") or ""),
                    first_positive_at=parse_time(request.POST.get("first_positive_at")),
                    classification=request.POST.get("classification")
                    or Classification.ASYMPTOMATIC,
                    by=request.user,
                )
            except TracingError as exc:
                error = str(exc)
            else:
                return redirect("tracing:case", case.pk)
    return render(
        request,
        "tracing/new_case.html",
        {
            "incident": incident,
            "channels": Channel.choices,
            "classifications": Classification.choices,
            "error": error,
            "listing": listing,
        },
    )


@page(Perm.VIEW_CASES)
def notice_page(request: HttpRequest, pk: int) -> HttpResponse:
    """The trajectory notice ready to publish: 病例N, dates, times, venues; nothing personal."""
    case = visible_case(request.user, pk, audit=False)
    return render(request, "tracing/notice.html", {"case": case, "lines": notice(case)})


@page(Perm.VIEW_CASES)
def chain_page(request: HttpRequest) -> HttpResponse:
    incident = _incident(request)
    data = chain(incident)
    record(
        AuditAction.VIEW,
        target_type="tracing.case",
        label=f"传播链 {incident.name}"[:255],
        detail={"incident": incident.pk, "nodes": len(data["nodes"])},
    )
    return render(request, "tracing/chain.html", {"incident": incident, "chain": data})


# --- contacts (grids, units, isolation) -----------------------------------------------------


@page(Perm.VIEW_CONTACTS)
def contacts_page(request: HttpRequest) -> HttpResponse:
    """Contacts living in the user's area (all, for investigators): level, status, end of
    management and test days, with missed test days flagged. Never the case."""
    incident = _incident(request)
    qs = (
        Management.objects.visible_to(request.user)
        .filter(incident=incident)
        .confirmed()
        .select_related("person", "outside_person", "household")
        .order_by("-level", "ends_on", "pk")
    )
    level = request.GET.get("level", "")
    if level in Level.values:
        qs = qs.filter(level=level)
    rows = list(qs[:500])
    days = test_days(rows)
    for m in rows:
        m.days = days[m.pk]  # type: ignore[attr-defined]
        m.missed = sum(1 for d in days[m.pk] if d.missed)  # type: ignore[attr-defined]
    record(
        AuditAction.VIEW,
        target_type="tracing.management",
        label=f"接触者名单 ×{len(rows)}",
        detail={"incident": incident.pk, "rows": len(rows), "level": level},
    )
    return render(
        request,
        "tracing/contacts.html",
        {
            "incident": incident,
            "rows": rows,
            "counts": counts(Management.objects.visible_to(request.user).filter(incident=incident)),
            "missed": missed_counts(
                Management.objects.visible_to(request.user)
                .filter(incident=incident)
                .confirmed()
                .exclude(status__in=[ManagementStatus.RELEASED, ManagementStatus.BECAME_CASE])
                .only("pk", "person_id", "test_dates")
            ),
            "levels": Level.choices,
            "level": level,
            "statuses": [s for s in ManagementStatus.choices if s[0] != "candidate"],
        },
    )


@page(Perm.VIEW_CONTACTS)
def contact_page(request: HttpRequest, pk: int) -> HttpResponse:
    m = visible_management(request.user, pk)
    return render(
        request,
        "tracing/contact.html",
        {
            "m": m,
            "person": m.person or m.outside_person,
            "days": test_days([m])[m.pk],
            "links": m.contacts.filter(status=ContactStatus.CONFIRMED)
            if has_perm(request.user, Perm.VIEW_CASES)
            else None,
        },
    )


# --- venues, check-ins and co-presence ------------------------------------------------------


@page(Perm.VIEW_CONTACTS)
def venues_page(request: HttpRequest) -> HttpResponse:
    incident = _incident(request)
    summary = None
    if request.method == "POST":
        _require_manage(request)
        if request.POST.get("action") == "venue":
            code = request.POST.get("code", "").strip()[:64]
            kind = request.POST.get("kind") or VenueKind.OTHER
            if not code or not request.POST.get("name") or kind not in VenueKind.values:
                flash.error(request, _("请填写场所码、名称和类型"))
            else:
                Venue.objects.update_or_create(
                    code=code,
                    defaults={
                        "name": request.POST["name"][:200],
                        "kind": kind,
                        "address": request.POST.get("address", "")[:300],
                    },
                )
                flash.success(request, _("场所已保存"))
            return redirect("tracing:venues")
        upload = request.FILES.get("file")
        if upload is None or (upload.size or 0) > MAX_UPLOAD:
            flash.error(request, _("请选择不超过 50 MB 的 .xlsx 或 .csv 文件"))
            return redirect("tracing:venues")
        if request.POST.get("action") == "venues":
            try:
                done = import_venues(upload.read(), upload.name or "")
            except SheetError as exc:
                flash.error(request, str(exc))
            else:
                flash.success(
                    request,
                    _("场所：新增 %(a)d，更新 %(u)d，拒收 %(r)d")
                    % {"a": done.added, "u": done.existing, "r": done.rejected},
                )
            return redirect("tracing:venues")
        try:
            summary = import_file(incident, upload.read(), upload.name or "", by=request.user)
        except (SheetError, MissingRule) as exc:
            flash.error(request, str(exc))
            return redirect("tracing:venues")
    venues = (
        Venue.objects.visible_to(request.user)
        .annotate(n=Count("checkins", filter=Q(checkins__incident=incident)))
        .order_by("name")[:500]
    )
    return render(
        request,
        "tracing/venues.html",
        {
            "incident": incident,
            "venues": venues,
            "kinds": VenueKind.choices,
            "summary": summary,
            "can_manage": _can_manage(request),
        },
    )


@page(Perm.VIEW_CASES)
def copresence_page(request: HttpRequest) -> HttpResponse:
    """Co-presence as a tool of its own: who was at venue V between t1 and t2 (for at least N
    minutes), or who overlapped a case's own check-ins in that window."""
    venue = None
    case = None
    people = None
    form = {k: request.GET.get(k, "") for k in ("venue", "case", "from", "to", "min")}
    if form["venue"] or form["case"]:
        incident = _incident(request)
        start, end = parse_time(form["from"]), parse_time(form["to"])
        minutes = int(form["min"]) if form["min"].isdigit() else 0
        if form["case"]:
            number = form["case"].strip().removeprefix("病例")
            case = (
                Case.objects.visible_to(request.user)
                .of(incident)
                .filter(number=int(number))
                .first()
                if number.isdigit()
                else None
            )
        else:
            venue = Venue.objects.visible_to(request.user).filter(code=form["venue"]).first()
        if (venue is None and case is None) or start is None or end is None or end <= start:
            flash.error(request, _("请填写有效的场所码或病例编号和时间段"))
        else:
            if case is not None:
                people = overlapping_person(
                    incident,
                    person_id=case.person_id,
                    outside_person_id=case.outside_person_id,
                    start=start,
                    end=end,
                    min_minutes=minutes,
                )
            else:
                assert venue is not None
                people = at_venue(incident, venue, start, end, minutes)
            for p in people:
                p.name = mask_name(p.name)
            what = case.label if case is not None else venue.code if venue else ""
            record(
                AuditAction.VIEW,
                target_type="tracing.checkin",
                label=f"时空交集 {what} ×{len(people)}",
                detail={"venue": venue.code if venue else "", "case": case.pk if case else None,
                        "rows": len(people)},
            )  # fmt: skip
    return render(
        request,
        "tracing/copresence.html",
        {"form": form, "venue": venue, "case": case, "people": people},
    )


# --- 协查 ------------------------------------------------------------------------------------


@page(Perm.MANAGE_TRACING)
def assist_page(request: HttpRequest) -> HttpResponse:
    incident = _incident(request)
    summary = None
    if request.method == "POST":
        upload = request.FILES.get("file")
        county = request.POST.get("from_county", "").strip()
        if upload is None or not county or (upload.size or 0) > MAX_UPLOAD:
            flash.error(request, _("请选择协查文件并填写发函地"))
            return redirect("tracing:assist")
        try:
            summary = import_assist(
                incident, upload.read(), upload.name or "", county, by=request.user
            )
        except SheetError as exc:
            flash.error(request, str(exc))
            return redirect("tracing:assist")
    sheets = {code: len(rows) for code, rows in outgoing(incident).items()}
    return render(
        request, "tracing/assist.html", {"incident": incident, "sheets": sheets, "summary": summary}
    )


@page(Perm.MANAGE_TRACING)
def assist_export(request: HttpRequest) -> HttpResponse:
    incident = _incident(request)
    region = request.GET.get("region") or None
    data, _rows = export_workbook(incident, region)
    name = f"xiecha-{region or 'all'}-{timezone.localdate():%Y%m%d}.xlsx"
    response = HttpResponse(
        data, content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


@page(Perm.VIEW_CASES)
def chain_json(request: HttpRequest) -> JsonResponse:
    return JsonResponse(chain(_incident(request)))
