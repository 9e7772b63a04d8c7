"""Taking a request in — from the public page, the hotline, or an imported sheet — and
spotting the second request for the same need.

Every intake goes through `receive`: the number is allocated, the registry consulted, the
priority suggested, the SMS queued. A request from a phone or household that already has an
open request is still taken (nothing a resident says may be lost) but carries a "likely
duplicate" mark the duty staff resolve by merging, which keeps both histories.
"""

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from tongxin.audit.models import AuditAction
from tongxin.audit.services import record
from tongxin.core import crypto
from tongxin.core.personal import phone_fields
from tongxin.core.phones import InvalidPhone
from tongxin.helpdesk import conf
from tongxin.helpdesk.models import (
    OPEN_STATUSES,
    Channel,
    EventKind,
    HelpRequest,
    Priority,
    Status,
    higher,
)
from tongxin.helpdesk.services import registry, sms
from tongxin.helpdesk.services.access import is_duty_staff
from tongxin.helpdesk.services.events import AlreadyDone, HelpdeskError, log_event
from tongxin.helpdesk.services.numbers import next_number
from tongxin.helpdesk.services.text import one_line, redact
from tongxin.helpdesk.services.triage import suggest
from tongxin.incidents.models import Incident
from tongxin.people.models import Person
from tongxin.places.models import Place, PlaceKind


class IntakeError(HelpdeskError):
    pass


@dataclass
class Intake:
    """What is known about a request when it arrives."""

    text: str
    phone: str
    caller_name: str = ""
    place: Place | None = None
    address: str = ""
    category: str = ""
    stated_priority: str = ""  # what the resident said (public page)
    priority: str = ""  # what the duty staff decided at intake (hotline)
    emergency: bool = False  # flagged by the duty staff at intake
    person: Person | None = None  # picked from the registry by the duty staff
    channel: str = Channel.WEB
    external_ref: str = ""
    source_label: str = ""
    received_at: dt.datetime | None = None
    incident: Incident | None = None


@dataclass
class Received:
    request: HelpRequest
    duplicates: list[HelpRequest] = field(default_factory=list)
    created: bool = True  # False: the same external reference was taken in before


def default_incident() -> Incident | None:
    """The open incident requests belong to (the most recent one if several are open)."""
    return Incident.objects.open().order_by("-started_at").first()


def _phone_bidxs(phone: str) -> list[str]:
    return crypto.blind_indexes("phone", phone)


def find_duplicates(
    *,
    phone: str = "",
    place: Place | None = None,
    person: Person | None = None,
    exclude: HelpRequest | None = None,
) -> list[HelpRequest]:
    """Open requests from the same phone, household or resident, newest first."""
    condition = Q(pk__in=[])
    if phone:
        condition |= Q(phone_bidx__in=_phone_bidxs(phone))
    if place is not None and place.kind == PlaceKind.HOUSEHOLD:
        condition |= Q(place=place)
    if person is not None:
        condition |= Q(person=person)
    qs = HelpRequest.objects.open().filter(condition).select_related("team")
    if exclude is not None:
        qs = qs.exclude(pk=exclude.pk)
    return list(qs.order_by("-received_at", "-pk")[:5])


def likely_duplicates(phone_raw: str, place: Place | None = None) -> list[HelpRequest]:
    """For the hotline form, before anything is created."""
    try:
        phone, _mobile = registry.normalize_callback(phone_raw)
    except InvalidPhone:
        return []
    return find_duplicates(phone=phone, place=place)


def receive(
    intake: Intake,
    *,
    by: Any = None,
    now: dt.datetime | None = None,
    send_sms: bool = True,
) -> Received:
    """Take a request in. Raises IntakeError (Chinese message) for an unusable one."""
    now = now or timezone.now()
    received_at = intake.received_at or now
    text, masked = redact(intake.text)
    if not text:
        raise IntakeError(_("请说明需要什么帮助"))
    try:
        phone, mobile = registry.normalize_callback(intake.phone)
    except InvalidPhone:
        raise IntakeError(_("联系电话不正确，请填写手机号或带区号的固定电话")) from None
    external_ref = one_line(intake.external_ref, 60)
    if external_ref:
        existing = HelpRequest.objects.filter(
            channel=intake.channel, external_ref=external_ref
        ).first()
        if existing is not None:
            return Received(existing, [], created=False)

    place = intake.place
    person = intake.person or registry.link_person(phone, place, intake.caller_name.strip())
    place = registry.narrow_to_household(place, person, phone)
    profile = registry.care_profile(person)
    tags = registry.care_tags(profile)
    suggestion = suggest(
        text, category=intake.category, stated=intake.stated_priority,
        special_population=bool(tags),
    )  # fmt: skip
    emergency = suggestion.emergency or intake.emergency
    priority = intake.priority if intake.priority in Priority.values else suggestion.priority
    if emergency:
        priority = Priority.URGENT
    contact_limit, close_limit = conf.limits(priority)
    confirmed = bool(intake.priority) and is_duty_staff(by)
    staff = by if by is not None and getattr(by, "pk", None) else None

    with transaction.atomic():
        request = HelpRequest(
            number=next_number(received_at),
            incident=intake.incident or default_incident(),
            channel=intake.channel,
            external_ref=external_ref,
            source_label=one_line(intake.source_label, 200),
            received_at=received_at,
            received_by=staff,
            caller_name=one_line(intake.caller_name, 50),
            **phone_fields(phone),
            phone_is_mobile=mobile,
            address=one_line(intake.address, 400),
            place=place,
            person=person,
            text=text,
            text_original=intake.text.strip() if masked else "",
            care_tags=tags,
            category=suggestion.category,
            stated_priority=intake.stated_priority
            if intake.stated_priority in Priority.values
            else "",
            priority_suggested=suggestion.priority,
            matched_keywords=suggestion.keywords,
            priority=priority,
            priority_confirmed_at=now if confirmed else None,
            priority_confirmed_by=staff if confirmed else None,
            is_emergency=emergency,
            contact_due_at=received_at + contact_limit,
            close_due_at=received_at + close_limit,
        )
        try:
            with transaction.atomic():
                request.save()
        except IntegrityError:
            if external_ref:
                # The same sheet row imported twice at once: the other import took it.
                existing = HelpRequest.objects.get(
                    channel=intake.channel, external_ref=external_ref
                )
                return Received(existing, [], created=False)
            raise
        log_event(
            request, EventKind.RECEIVED, user=staff, at=received_at,
            note=request.get_channel_display(),
            data={"keywords": suggestion.keywords, "suggested": suggestion.priority},
        )  # fmt: skip
        duplicates = find_duplicates(phone=phone, place=place, person=person, exclude=request)
        if duplicates:
            HelpRequest.objects.filter(pk=request.pk).update(suspected_duplicate_of=duplicates[0])
            request.suspected_duplicate_of = duplicates[0]
        if send_sms:
            sms.send_received(request, received_at)
    return Received(request, duplicates)


# --- duplicates ------------------------------------------------------------------------------


def _require_duty(user: Any) -> None:
    if not is_duty_staff(user):
        raise HelpdeskError(_("只有平台值守人员和指挥部可以进行此操作"))


@transaction.atomic
def merge(
    duplicate: HelpRequest, into: HelpRequest, user: Any, *, now: dt.datetime | None = None
) -> HelpRequest:
    """Merge a duplicate into the request that carries on. The duplicate keeps its own history
    (and its number still answers a status check, pointing to the other); the one that
    carries on takes the more urgent priority, the emergency flag and the earlier deadlines."""
    _require_duty(user)
    now = now or timezone.now()
    if into.pk == duplicate.pk:
        raise HelpdeskError(_("不能与自身合并"))
    # Both rows, always in the same order: two people merging A into B and B into A at the
    # same moment then queue up instead of deadlocking.
    locked = {
        r.pk: r
        for r in HelpRequest.objects.select_for_update()
        .filter(pk__in=[into.pk, duplicate.pk])
        .order_by("pk")
    }
    into = locked[into.pk]
    if into.status == Status.MERGED:
        raise HelpdeskError(_("目标工单已合并到 %(n)s") % {"n": into.merged_into})
    if into.status not in OPEN_STATUSES:
        raise HelpdeskError(_("目标工单已办结，请对其“重新办理”后再合并"))
    merged = HelpRequest.objects.filter(pk=duplicate.pk, status__in=OPEN_STATUSES).update(
        status=Status.MERGED, merged_into=into, merged_at=now, suspected_duplicate_of=None
    )
    if not merged:
        duplicate.refresh_from_db()
        raise AlreadyDone(
            _("工单 %(n)s 已是“%(s)s”状态，未合并")
            % {"n": duplicate.number, "s": duplicate.get_status_display()}
        )
    duplicate.refresh_from_db()
    changes: dict[str, Any] = {}
    priority = higher(into.priority, duplicate.priority)
    if priority != into.priority:
        changes["priority"] = priority
    if duplicate.is_emergency and not into.is_emergency:
        changes["is_emergency"] = True
    if duplicate.contact_due_at < into.contact_due_at and into.cycle_contact_at is None:
        changes["contact_due_at"] = duplicate.contact_due_at
    if duplicate.close_due_at < into.close_due_at:
        changes["close_due_at"] = duplicate.close_due_at
    if into.suspected_duplicate_of_id == duplicate.pk:
        changes["suspected_duplicate_of"] = None
    if into.person_id is None and duplicate.person_id is not None:
        changes["person_id"] = duplicate.person_id
    if into.place_id is None and duplicate.place_id is not None:
        changes["place_id"] = duplicate.place_id
    if changes:
        HelpRequest.objects.filter(pk=into.pk).update(**changes)
    HelpRequest.objects.filter(suspected_duplicate_of=duplicate).exclude(pk=into.pk).update(
        suspected_duplicate_of=into
    )
    log_event(
        duplicate, EventKind.MERGED, user=user, at=now,
        note=_("已合并至 %(n)s") % {"n": into.number}, data={"into": into.number},
    )  # fmt: skip
    log_event(
        into, EventKind.MERGED, user=user, at=now,
        note=_("并入 %(n)s：%(text)s") % {"n": duplicate.number, "text": duplicate.text[:200]},
        data={"merged": duplicate.number},
    )  # fmt: skip
    record(
        AuditAction.UPDATE, duplicate,
        changes={"status": [Status.RECEIVED, Status.MERGED], "merged_into": [None, into.number]},
    )  # fmt: skip
    into.refresh_from_db()
    return into


def dismiss_duplicate(request: HelpRequest, user: Any, *, now: dt.datetime | None = None) -> None:
    """The duty staff looked: it is a different need, not a duplicate."""
    _require_duty(user)
    now = now or timezone.now()
    other = request.suspected_duplicate_of
    if HelpRequest.objects.filter(pk=request.pk, suspected_duplicate_of__isnull=False).update(
        suspected_duplicate_of=None
    ):
        log_event(
            request, EventKind.NOTE, user=user, at=now,
            note=_("经核实不是 %(n)s 的重复求助") % {"n": other.number if other else "—"},
        )  # fmt: skip
    request.suspected_duplicate_of = None


def history(request: HelpRequest) -> list[Any]:
    """The request's events and those of every request merged into it, in time order."""
    from tongxin.helpdesk.models import RequestEvent

    ids = [request.pk, *request.merged_requests.values_list("pk", flat=True)]
    return list(
        RequestEvent.objects.filter(request_id__in=ids)
        .select_related("request", "actor")
        .order_by("at", "pk")
    )
