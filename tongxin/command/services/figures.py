"""Compose the modules' figures (tongxin.incidents.registry) into one picture.

Each registered provider gives its module's figures for an incident under an area as of a
moment. Top-level numbers are the cards; "today" (or a report's period) is the difference
between the figures at the end and at the start, so providers only count up to a moment.
A module that is not installed has no provider and no section: nothing here names it.
"""

import datetime as dt
from collections.abc import Iterable
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from tongxin.incidents.models import Incident
from tongxin.incidents.registry import figures_providers
from tongxin.places.models import Place, PlaceKind

# Sections in the order a command post reads them; modules not listed follow alphabetically.
ORDER = (
    "tracing",
    "sampling",
    "zones",
    "isolation",
    "helpdesk",
    "directives",
    "workforce",
    "supplies",
)
TITLES = {
    "tracing": _("病例与密接"),
    "sampling": _("核酸检测"),
    "zones": _("三区管控"),
    "isolation": _("集中隔离"),
    "helpdesk": _("求助平台"),
    "directives": _("指令办理"),
    "workforce": _("人员力量"),
    "supplies": _("物资保障"),
}
LABELS = {
    "sampling": {
        "should_test": _("应检人数"),
        "sampled": _("已采样"),
        "result_known": _("已出结果"),
        "untested": _("应检未检"),
        "pending_results": _("待出结果管数"),
        "positive_pools": _("阳性混管"),
        "open_recalls": _("复核中"),
        "positives": _("阳性人员"),
        "rounds": _("已开展轮次"),
        "round": _("当前轮次"),
    },
    "zones": {
        "in_force": _("现有管控区域"),
        "designated_total": _("累计划定"),
        "ended_total": _("累计解除/调整"),
        "lifting_proposals": _("待决定解除建议"),
    },
    "helpdesk": {
        "received": _("受理"),
        "answered": _("已联系"),
        "closed": _("办结"),
        "open": _("在办"),
        "overdue_now": _("当前超时"),
        "overdue_total": _("累计超时"),
    },
    "tracing": {
        "cases": _("累计病例"),
        "confirmed_cases": _("确诊病例"),
        "cases_by_classification": _("病例分类"),
        "cases_by_channel": _("发现途径"),
        "contacts_by_level": _("累计判定"),
        "contacts_by_level_and_status": _("管控状态"),
        "candidates_to_confirm": _("待确认接触者"),
    },
    "workforce": {
        "mobilised": _("动员干部"),
        "mobilised_by_kind": _("动员干部"),
        "volunteers": _("志愿者"),
        "volunteers.registered": _("志愿者·已登记"),
        "volunteers.verified": _("志愿者·已核验"),
        "volunteers.on_duty": _("志愿者·在岗"),
        "on_duty": _("在岗人数"),
        "hours": _("累计工时"),
        "fatigue_warnings": _("疲劳预警"),
        "party_members_on_duty": _("在岗党员"),
    },
    "directives": {
        "issued": _("累计签发"),
        "open": _("办理中"),
        "overdue": _("逾期"),
        "unit_copies_open": _("单位未办结份数"),
    },
}
# Figures whose change over a day is a count of new things ("新增") rather than a net change.
# Stocks (open, in force …) show a signed change; both are the end minus the start.
# Modules whose figures are not additive over several places (a unit's directives are the
# same whichever of its estates is asked about): a unit with several estates takes the largest.
NOT_ADDITIVE = {"directives"}
# The cards a trend line follows, where the module exists.
HEADLINE = (
    ("tracing", "cases"),
    ("sampling", "sampled"),
    ("sampling", "positives"),
    ("zones", "in_force"),
    ("helpdesk", "received"),
    ("helpdesk", "closed"),
    ("directives", "open"),
)


def cache_seconds() -> int:
    return int(getattr(settings, "TONGXIN_COMMAND_CACHE_SECONDS", 30))


def modules() -> list[tuple[str, Any]]:
    providers = figures_providers()
    rank = {name: i for i, name in enumerate(ORDER)}
    return sorted(providers.items(), key=lambda item: (rank.get(item[0], len(ORDER)), item[0]))


def title_of(module: str) -> str:
    return str(TITLES.get(module, module))


def is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _merge(module: str, parts: list[dict[str, Any]]) -> dict[str, Any]:
    if len(parts) == 1:
        return parts[0]
    merged: dict[str, Any] = {}
    for part in parts:
        for key, value in part.items():
            if key not in merged:
                merged[key] = value
            elif is_number(value) and is_number(merged[key]):
                merged[key] = (
                    max(merged[key], value) if module in NOT_ADDITIVE else merged[key] + value
                )
            elif isinstance(value, dict) and isinstance(merged[key], dict):
                merged[key] = {**value, **merged[key]}
            elif (
                isinstance(value, list)
                and isinstance(merged[key], list)
                and module not in NOT_ADDITIVE
            ):
                merged[key] = merged[key] + [v for v in value if v not in merged[key]]
    return merged


def flatten(data: dict[str, Any]) -> dict[str, Any]:
    """A provider's figures with nested groups of numbers (cases by classification, contacts
    by level and status, volunteers registered/verified/on duty …) as figures of their own,
    keyed "group.key" (or "group.key.sub"), so the cards, the report, the sums over a unit's
    estates and the reconciliation treat them like any other figure. Labels stay as given."""
    out: dict[str, Any] = {}

    def walk(prefix: str, value: Any) -> None:
        if isinstance(value, dict):
            for key, inner in value.items():
                walk(f"{prefix}.{key}", inner)
        elif is_number(value):
            out[prefix] = value

    for key, value in data.items():
        if isinstance(value, dict) and key != "labels":
            walk(key, value)
        else:
            out[key] = value
    return out


def raw_figures(
    incident: Incident, areas: list[Place] | None = None, at: dt.datetime | None = None
) -> dict[str, dict[str, Any]]:
    """Every registered module's figures: for the county (areas None) or summed over areas."""
    out: dict[str, dict[str, Any]] = {}
    for module, provider in modules():
        if areas is None:
            out[module] = flatten(dict(provider(incident, area=None, at=at)))
        else:
            out[module] = _merge(
                module, [flatten(dict(provider(incident, area=a, at=at))) for a in areas]
            )
    return out


def scalars(data: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in data.items() if is_number(v)}


def labels_of(module: str, data: dict[str, Any]) -> dict[str, str]:
    labels = {k: str(v) for k, v in LABELS.get(module, {}).items()}
    labels.update({k: str(v) for k, v in (data.get("labels") or {}).items()})
    # A figure of a nested group without its own label: its group's label and its key's.
    for key in data:
        if "." in key and key not in labels:
            parts = key.split(".")
            labels[key] = "·".join(
                labels.get(".".join(parts[: i + 1]), labels.get(part, part))
                for i, part in enumerate(parts)
            )
    return labels


def section(module: str, end: dict[str, Any], start: dict[str, Any] | None) -> dict[str, Any]:
    """One module's card set: values at the end, their change since the start, labels, and
    what is not a number (round name, per-unit table) as details."""
    numbers = scalars(end)
    before = scalars(start or {})
    labels = labels_of(module, end)
    return {
        "module": module,
        "title": title_of(module),
        "figures": [
            {
                "key": key,
                "label": labels.get(key, key),
                "value": value,
                "change": None if start is None else value - before.get(key, 0),
            }
            for key, value in numbers.items()
        ],
        # Lists, not objects: PostgreSQL's jsonb does not keep the keys' order, and the
        # documents rendered from a stored snapshot must come out the same every time.
        "text": [[k, v] for k, v in end.items() if isinstance(v, str)],
        "tables": [_table(k, v) for k, v in end.items() if isinstance(v, list)],
    }


def _table(name: str, items: list[Any]) -> dict[str, Any]:
    columns: list[str] = []
    for item in items:
        if isinstance(item, dict):
            columns += [c for c in item if c not in columns]
    return {
        "name": name,
        "columns": columns,
        "rows": [[item.get(c) for c in columns] for item in items if isinstance(item, dict)],
    }


def day_start(at: dt.datetime) -> dt.datetime:
    local = timezone.localtime(at)
    return local.replace(hour=0, minute=0, second=0, microsecond=0)


def area_key(areas: Iterable[Place] | None) -> str:
    return "all" if areas is None else "-".join(str(a.pk) for a in areas)


def picture(
    incident: Incident,
    areas: list[Place] | None = None,
    *,
    at: dt.datetime | None = None,
    since: dt.datetime | None = None,
) -> dict[str, Any]:
    """The dashboard's figures: live (at None) or as of `at`, with the change since `since`
    (the start of that day by default)."""
    moment = at or timezone.now()
    since = since or day_start(moment)
    end = raw_figures(incident, areas, at)
    start = baseline(incident, areas, since)
    return {
        "incident": {"id": incident.pk, "name": incident.name},
        "areas": [{"id": a.pk, "name": a.name, "kind": a.kind} for a in (areas or [])],
        "at": timezone.localtime(moment).isoformat(),
        "since": timezone.localtime(since).isoformat(),
        "sections": [section(m, end[m], start.get(m)) for m in end],
    }


def baseline(
    incident: Incident, areas: list[Place] | None, since: dt.datetime
) -> dict[str, dict[str, Any]]:
    """The figures at the start of the day, which "today" is counted from. They only change
    when something before midnight is entered late, so they are kept for 20 cache windows
    (10 minutes by default); the daily report's reconciliation is where late entries show."""
    key = f"tx:command:baseline:{incident.pk}:{area_key(areas)}:{int(since.timestamp())}"
    found = cache.get(key)
    if found is None:
        found = raw_figures(incident, areas, since)
        cache.set(key, found, 20 * max(1, cache_seconds()))
    return found


def cached_picture(incident: Incident, areas: list[Place] | None = None) -> dict[str, Any]:
    """The live picture, computed at most once every TONGXIN_COMMAND_CACHE_SECONDS (30) per
    incident and area: the wall screen and every dashboard open within that window share it."""
    seconds = max(1, cache_seconds())
    bucket = int(timezone.now().timestamp()) // seconds
    key = f"tx:command:picture:{incident.pk}:{area_key(areas)}:{bucket}"
    found = cache.get(key)
    if found is None:
        found = picture(incident, areas)
        cache.set(key, found, seconds)
    return found


def flat(picture_data: dict[str, Any]) -> dict[str, Any]:
    """module.key → value, to compare two pictures."""
    return {
        f"{s['module']}.{f['key']}": f["value"]
        for s in picture_data["sections"]
        for f in s["figures"]
    }


def _trend_point(
    incident: Incident, areas: list[Place] | None, at: dt.datetime, past: bool
) -> dict[str, Any]:
    key = f"tx:command:trend:{incident.pk}:{area_key(areas)}:{int(at.timestamp())}"
    found = cache.get(key) if past else None
    if found is None:
        data = raw_figures(incident, areas, at)
        found = {
            f"{m}.{k}": data[m][k] for m, k in HEADLINE if m in data and is_number(data[m].get(k))
        }
        if past:
            cache.set(key, found, 3600)
    return found


def trends(
    incident: Incident,
    areas: list[Place] | None = None,
    *,
    now: dt.datetime | None = None,
    hours: int = 24,
    days: int = 14,
) -> dict[str, Any]:
    """Headline figures at the end of each of the last `days` days (since the incident
    started) and at each of the last `hours` hours. Past points are cached for an hour (a
    late import shows in them within the hour)."""
    now = now or timezone.now()
    # The last `days` day ends (or fewer, since the incident started), then now.
    first = max(day_start(incident.started_at), day_start(now) - dt.timedelta(days=days - 1))
    points: list[dt.datetime] = []
    moment = first + dt.timedelta(days=1)
    while moment < now:
        points.append(moment)
        moment += dt.timedelta(days=1)
    points.append(now)
    top = timezone.localtime(now).replace(minute=0, second=0, microsecond=0)
    hour_points = [top - dt.timedelta(hours=h) for h in range(hours - 1, -1, -1)] + [now]
    hour_points = [h for h in hour_points if h >= incident.started_at]
    labels: dict[str, str] = {}
    for module, key in HEADLINE:
        labels[f"{module}.{key}"] = f"{title_of(module)}·{LABELS.get(module, {}).get(key, key)}"

    def series(moments: list[dt.datetime], fmt: str) -> dict[str, Any]:
        values = [_trend_point(incident, areas, p, p < now) for p in moments]
        keys = [k for k in labels if any(k in v for v in values)]
        return {
            "x": [timezone.localtime(p).strftime(fmt) for p in moments],
            "series": [
                {"key": k, "name": labels[k], "data": [v.get(k) for v in values]} for k in keys
            ],
        }

    # A day's point is its end (24时), labelled with the day itself.
    day_series = series(points, "%m-%d %H:%M")
    day_series["x"] = [
        timezone.localtime(p - dt.timedelta(seconds=1)).strftime("%m-%d") for p in points
    ]
    return {"per_day": day_series, "per_hour": series(hour_points, "%H:%M")}


def townships() -> list[Place]:
    return list(Place.objects.filter(kind=PlaceKind.TOWNSHIP).order_by("path"))


def children_for_drill(area: Place | None) -> list[Place]:
    """County → townships → estates: the next level a command post drills into."""
    if area is None or area.kind == PlaceKind.COUNTY:
        return townships()
    if area.kind in (PlaceKind.TOWNSHIP, PlaceKind.COMMUNITY):
        return list(Place.objects.under(area).filter(kind=PlaceKind.ESTATE).order_by("path"))
    return []
