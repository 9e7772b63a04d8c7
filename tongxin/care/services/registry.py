"""Keeping the registry: adding, changing and ending care needs, and reading them (audited)."""

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import Prefetch
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from tongxin.audit.models import AuditAction, AuditEvent
from tongxin.audit.services import record, target_type_of
from tongxin.care.models import WEEKDAY_DIGITS, CareNeed, CareNeedQuerySet, Hospital, NeedKind
from tongxin.care.services.access import can_manage_care, can_view_care
from tongxin.people.models import Person, PersonQuerySet
from tongxin.places.models import Place

# What a need of each kind must say to be of use to the grid and the drivers.
EDITABLE_FIELDS = (
    "hospital", "weekdays", "session_time", "due_date", "medicine", "frequency", "details", "notes",
)  # fmt: skip


class CareError(ValueError):
    pass


class NotAllowed(CareError):
    pass


def normalize_weekdays(raw: str) -> str:
    """ "5,1 3" / "一三五" / "135" → "135"; anything else is refused."""
    chinese = {
        "一": "1",
        "二": "2",
        "三": "3",
        "四": "4",
        "五": "5",
        "六": "6",
        "日": "7",
        "天": "7",
    }
    digits = set()
    for ch in str(raw or ""):
        ch = chinese.get(ch, ch)
        if ch in WEEKDAY_DIGITS:
            digits.add(ch)
        elif ch not in " ,，、/周星期":
            raise CareError(_("透析日只能是 1–7（周一至周日），如 135"))
    return "".join(sorted(digits))


def _clean(kind: str, values: dict[str, Any]) -> dict[str, Any]:
    if kind not in NeedKind.values:
        raise CareError(_("未知的类别：%(kind)s") % {"kind": kind})
    values = {k: v for k, v in values.items() if k in EDITABLE_FIELDS}
    for text in ("medicine", "frequency", "details", "notes"):
        values[text] = (values.get(text) or "").strip()
    values["weekdays"] = normalize_weekdays(values.get("weekdays") or "")
    if kind == NeedKind.DIALYSIS:
        if not values.get("hospital"):
            raise CareError(_("血透登记须填写透析医院"))
        if not values["weekdays"]:
            raise CareError(_("血透登记须填写每周透析日"))
    else:
        values["weekdays"], values["session_time"] = "", None
    if kind == NeedKind.PREGNANCY and not values.get("due_date"):
        raise CareError(_("孕产妇登记须填写预产期"))
    if kind == NeedKind.CHRONIC and not values["medicine"]:
        raise CareError(_("慢病用药登记须填写药品"))
    if kind not in (NeedKind.DIALYSIS, NeedKind.PREGNANCY):
        values["hospital"] = None
    if kind != NeedKind.PREGNANCY:
        values["due_date"] = None
    return values


def manageable_people(user: Any) -> PersonQuerySet:
    """Residents whose care records the user may add and change: their grid, or all for the
    command post."""
    if not can_manage_care(user):
        return Person.objects.none()
    return Person.objects.visible_to(user)


def _require_manager(user: Any, person: Person) -> None:
    if not manageable_people(user).filter(pk=person.pk).exists():
        # Outside the grid it does not exist; inside but read-only it is refused.
        if Person.objects.visible_to(user).filter(pk=person.pk).exists():
            raise NotAllowed(_("您只能查看，不能维护重点人群登记"))
        raise Http404(_("未找到该居民"))


def add_need(user: Any, person: Person, kind: str, **values: Any) -> CareNeed:
    """Register a need (audited as a create). A person has one current record per kind."""
    _require_manager(user, person)
    cleaned = _clean(kind, values)
    try:
        with transaction.atomic():
            return CareNeed.objects.create(person=person, kind=kind, recorded_by=user, **cleaned)
    except IntegrityError as exc:
        raise CareError(
            _("该居民已有一条在册的“%(kind)s”登记，请修改原登记") % {"kind": NeedKind(kind).label}
        ) from exc


def update_need(user: Any, need: CareNeed, **values: Any) -> CareNeed:
    """Change a need's details (the audit trail keeps each old value)."""
    _require_manager(user, need.person)
    if need.ended_on is not None:
        raise CareError(_("已结束的登记不能修改"))
    cleaned = _clean(need.kind, {**{f: getattr(need, f) for f in EDITABLE_FIELDS}, **values})
    for name, value in cleaned.items():
        setattr(need, name, value)
    need.save()
    return need


def end_need(user: Any, need: CareNeed, *, on: dt.date | None = None, reason: str = "") -> CareNeed:
    """End a need (delivered, moved away, recovered, died): kept for history, off the lists."""
    _require_manager(user, need.person)
    if need.ended_on is not None:
        return need
    need.ended_on = on or timezone.localdate()
    if reason.strip():
        need.notes = f"{need.notes}\n{reason.strip()}".strip()
    need.save()
    return need


def visible_needs(user: Any) -> CareNeedQuerySet:
    return CareNeed.objects.visible_to(user)


@dataclass
class RegistryRow:
    """One registered resident on a list: tags only, no health details (those are audited)."""

    person: Person
    tags: list[str]


def registry_rows(
    user: Any, *, place: Place | None = None, kind: str = "", q: str = ""
) -> list[RegistryRow]:
    """Residents with current needs, visible to the user, under a place, optionally of a kind."""
    from tongxin.people.services import search

    needs = visible_needs(user).current()
    if place is not None:
        needs = needs.under(place)
    if kind:
        needs = needs.filter(kind=kind)
    people = Person.objects.filter(pk__in=needs.values("person_id")).for_list()
    if q:
        people = search(people, q)
    labels = dict(NeedKind.choices)
    people = people.order_by("household__path", "name").prefetch_related(
        Prefetch(
            "care_needs",
            queryset=CareNeed.objects.current().order_by("kind"),
            to_attr="current_needs",
        )
    )
    return [
        RegistryRow(person, list(dict.fromkeys(str(labels[n.kind]) for n in p_needs)))
        for person in people
        if (p_needs := person.current_needs)  # type: ignore[attr-defined]
    ]


def get_visible_care_person(user: Any, pk: int) -> Person:
    """The resident, if the user may see their care records (else 404)."""
    if not can_view_care(user):
        raise Http404(_("未找到该居民"))
    from tongxin.people.services import get_visible_person

    return get_visible_person(user, pk)


# The fields each kind uses, in the order forms show them.
KIND_FIELDS: dict[str, tuple[str, ...]] = {
    NeedKind.DIALYSIS: ("hospital", "weekdays", "session_time", "notes"),
    NeedKind.PREGNANCY: ("due_date", "hospital", "notes"),
    NeedKind.CHRONIC: ("medicine", "frequency", "notes"),
    NeedKind.ELDERLY_ALONE: ("details", "notes"),
    NeedKind.DISABILITY: ("details", "notes"),
    NeedKind.INFANT: ("details", "notes"),
}
# Not worth a line in the history (the page is about this person; who recorded it is the actor).
_HISTORY_SKIP = {"person", "recorded_by", "created_at", "updated_at"}


@dataclass
class HistoryLine:
    at: Any
    actor: str
    action: str  # the action's label: 新增 / 修改 / 删除
    kind: str  # the need's label
    changes: list[tuple[str, str, str]]  # (field label, before, after); before "" on a create


def _readable(name: str, value: Any) -> str:
    if value in (None, ""):
        return ""
    if name == "kind":
        return str(dict(NeedKind.choices).get(value, value))
    if name == "weekdays":
        from tongxin.care.services.profile import weekdays_label

        return weekdays_label(str(value))
    if name == "session_time":
        return str(value)[:5]  # "07:30:00" reads "07:30"
    if name == "hospital":
        hospital = Hospital.objects.filter(pk=value).first() if str(value).isdigit() else None
        return str(hospital or value)
    return str(value)


def history_lines(events: list[AuditEvent], needs: dict[str, CareNeed]) -> list[HistoryLine]:
    labels = {
        f.name: str(f.verbose_name)
        for f in CareNeed._meta.get_fields()
        if hasattr(f, "verbose_name")
    }
    lines = []
    for event in events:
        changes = []
        for name, value in event.changes.items():
            if name in _HISTORY_SKIP:
                continue
            if event.action == AuditAction.UPDATE and isinstance(value, list) and len(value) == 2:
                before, after = _readable(name, value[0]), _readable(name, value[1])
            else:
                before, after = "", _readable(name, value)
                if not after or name == "kind":
                    continue
            changes.append((labels.get(name, name), before, after))
        need = needs.get(event.target_id)
        lines.append(
            HistoryLine(
                at=event.at,
                actor=event.actor_label,
                action=str(event.get_action_display()),
                kind=str(need.get_kind_display()) if need else "",
                changes=changes,
            )
        )
    return lines


@dataclass
class CareRecord:
    person: Person
    needs: list[CareNeed]  # current first, then ended
    history: list[HistoryLine]
    can_edit: bool


def view_care_record(user: Any, pk: int) -> CareRecord:
    """Open a resident's care record. Every view is audited, like opening a resident."""
    person = get_visible_care_person(user, pk)
    needs = list(
        visible_needs(user)
        .filter(person=person)
        .select_related("hospital", "recorded_by")
        .order_by("ended_on", "kind", "-id")
    )
    record(AuditAction.VIEW, person, detail={"care": [n.pk for n in needs]})
    for need in needs:
        record(AuditAction.VIEW, need, detail={"person": person.pk})
    events = list(
        AuditEvent.objects.filter(
            target_type=target_type_of(CareNeed),
            target_id__in=[str(n.pk) for n in needs],
            action__in=[AuditAction.CREATE, AuditAction.UPDATE, AuditAction.DELETE],
        ).order_by("-at", "-id")[:100]
    )
    history = history_lines(events, {str(n.pk): n for n in needs})
    return CareRecord(person, needs, history, manageable_people(user).filter(pk=pk).exists())


def get_manageable_need(user: Any, pk: int) -> CareNeed:
    need = visible_needs(user).select_related("person__household", "hospital").filter(pk=pk).first()
    if need is None:
        raise Http404(_("未找到该登记"))
    return need
