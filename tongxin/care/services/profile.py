"""What other modules (the help desk, zone pages) read from the registry."""

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext_lazy

from tongxin.audit.models import AuditAction
from tongxin.audit.services import record
from tongxin.care.models import WEEKDAY_DIGITS, CareNeed, NeedKind

# Shown by the help desk and on every care and green-channel page (the report's rule).
# The one wording of the rule, shown by the help platform and the green channels alike.
NO_TEST_REQUIRED_NOTICE = gettext_lazy(
    "急危重症、临产等紧急情况：先救治、后查验。任何环节不得以没有核酸检测阴性证明为由"
    "拒绝、推诿或延误救治。"
)

# Short weekday names as a schedule is written: 周一/三/五 in Chinese, Mon/Wed/Fri in English.
_WEEKDAY_NAMES = (
    pgettext_lazy("weekday", "一"),
    pgettext_lazy("weekday", "二"),
    pgettext_lazy("weekday", "三"),
    pgettext_lazy("weekday", "四"),
    pgettext_lazy("weekday", "五"),
    pgettext_lazy("weekday", "六"),
    pgettext_lazy("weekday", "日"),
)


def weekdays_label(digits: str) -> str:
    """ "135" → "周一/三/五" (the way a schedule is said and written)."""
    names = [str(_WEEKDAY_NAMES[int(d) - 1]) for d in sorted(set(digits)) if d in WEEKDAY_DIGITS]
    if not names:
        return ""
    return _("周%(days)s") % {"days": "/".join(names)}


def describe(need: CareNeed) -> str:
    """One need as one short line, e.g. "血透：县人民医院，周一/三/五 07:30"."""
    parts: list[str] = []
    if need.kind == NeedKind.DIALYSIS:
        if need.hospital_id:
            parts.append(str(need.hospital))
        schedule = need.schedule_label
        if schedule:
            parts.append(schedule)
    elif need.kind == NeedKind.PREGNANCY:
        if need.due_date:
            parts.append(_("预产期 %(date)s") % {"date": need.due_date.isoformat()})
        if need.hospital_id:
            parts.append(str(need.hospital))
    elif need.kind == NeedKind.CHRONIC:
        parts.extend(p for p in (need.medicine, need.frequency) if p)
    elif need.details:
        parts.append(need.details)
    label = need.get_kind_display()
    return f"{label}：{'，'.join(parts)}" if parts else str(label)


@dataclass(frozen=True)
class CareProfile:
    """A resident's current care needs as the help desk shows them beside a request."""

    person_id: int
    tags: list[str]  # Chinese labels of the needs, e.g. ["血透", "独居老人"]
    summary: str  # one line, e.g. "血透：县人民医院，周一/三/五；独居老人"
    needs: list[CareNeed] = field(default_factory=list)  # the current registry records
    url: str = ""  # the person's care page ("" when the care pages are not mounted)


def _care_url(person_id: int) -> str:
    try:
        return reverse("care:person", args=[person_id])
    except NoReverseMatch:
        return ""


def care_profile_for(person: Any, *, audit: bool = True) -> CareProfile | None:
    """The person's care profile, or None when they are not in the registry.

    The caller has already scoped the person (only pass a Person the user may see). Opening a
    profile is a view of health data and is audited (one VIEW event per record, under the
    acting user); pass audit=False when nothing is shown to anyone (e.g. linking at intake).
    """
    if person is None or getattr(person, "pk", None) is None:
        return None
    needs = list(
        CareNeed.objects.current()
        .filter(person_id=person.pk)
        .select_related("hospital")
        .order_by("kind", "id")
    )
    if not needs:
        return None
    if audit:
        for need in needs:
            record(AuditAction.VIEW, need, detail={"person": person.pk, "via": "care_profile"})
    tags = list(dict.fromkeys(str(n.get_kind_display()) for n in needs))
    return CareProfile(
        person_id=person.pk,
        tags=tags,
        summary="；".join(describe(n) for n in needs),
        needs=needs,
        url=_care_url(person.pk),
    )


def care_tags_for(person_ids: Iterable[int]) -> dict[int, list[str]]:
    """Tags only (no details, not audited) for lists: {person_id: ["血透", …]} in one query."""
    ids = list(person_ids)
    if not ids:
        return {}
    labels = dict(NeedKind.choices)
    tags: dict[int, list[str]] = defaultdict(list)
    rows = (
        CareNeed.objects.current()
        .filter(person_id__in=ids)
        .order_by("person_id", "kind")
        .values_list("person_id", "kind")
    )
    for person_id, kind in rows:
        label = str(labels.get(kind, kind))
        if label not in tags[person_id]:
            tags[person_id].append(label)
    return dict(tags)


def special_population_counts(place: Any, user: Any) -> dict[str, int]:
    """Registered people with a current need under the place, per need label, as the user may
    see them: {"血透": 3, "孕产妇": 5, …} (kinds with none are left out). One query."""
    rows = (
        CareNeed.objects.visible_to(user)
        .current()
        .under(place)
        .values("kind")
        .annotate(n=Count("person", distinct=True))
    )
    labels = dict(NeedKind.choices)
    counts = {r["kind"]: r["n"] for r in rows}
    return {str(labels[k]): counts[k] for k, _label in NeedKind.choices if counts.get(k)}
