"""Demo directives in every state, for the demo county (`tongxin demo` calls this)."""

import datetime as dt
from collections.abc import Sequence
from decimal import Decimal

from tongxin.accounts.models import Role, User
from tongxin.directives import services
from tongxin.directives.models import Directive, DirectiveTarget, Priority
from tongxin.incidents.models import Incident
from tongxin.places.models import Place, PlaceKind
from tongxin.units.models import Unit, UnitAssignment


def _staff(unit: Unit) -> list[User]:
    """The unit's active staff, leaders first."""
    staff = User.objects.filter(unit=unit, is_active=True).order_by("pk")
    return sorted(staff, key=lambda u: u.role != Role.UNIT_LEADER)


def _building_of(unit: Unit) -> Place | None:
    estates = (
        UnitAssignment.objects.active().filter(unit=unit).values_list("place__path", flat=True)
    )
    for path in estates:
        building = (
            Place.objects.filter(path__startswith=path, kind=PlaceKind.BUILDING)
            .order_by("path")
            .first()
        )
        if building is not None:
            return building
    return None


def _advance(directive: Directive, unit: Unit, state: str, at: dt.datetime) -> None:
    """Move one unit's copy to `state` (issued, signed, in_progress, completed)."""
    staff = _staff(unit)
    if not staff or state == "issued":
        return
    who = staff[0]
    target = directive.targets.get(unit=unit)
    services.sign(target, who, now=at)
    if state in {"in_progress", "completed"}:
        services.add_feedback(
            target, who, "已部署到各楼幢，正在逐户落实。", number=Decimal(12),
            now=at + dt.timedelta(minutes=30),
        )  # fmt: skip
    if state == "completed":
        leader = next((u for u in staff if u.role == Role.UNIT_LEADER), None)
        if leader is None:
            # A unit without a leader account: the demo names its staff member as completer.
            DirectiveTarget.objects.filter(pk=target.pk).update(completer=who)
            target.refresh_from_db()
        services.complete(
            target, leader or who, text="已全部落实，详见附表。",
            number=Decimal(48) if directive.number_label else None,
            now=at + dt.timedelta(hours=1),
        )  # fmt: skip


def load_demo_directives(
    incident: Incident, units: Sequence[Unit], command_post_user: User, now: dt.datetime
) -> list[Directive]:
    """Open directives in every state: unsigned, signed, in progress (with staff tasks),
    overdue and escalated, and completed. Running it again changes nothing."""
    units = list(units)
    if not units:
        return []
    cycle = ["completed", "in_progress", "signed", "issued"]
    grace = services.escalation_grace()
    specs = [
        {
            "title": "连夜做好全员核酸检测准备",
            "text": "各包干单位今晚完成采样点布设、入户告知和人员排班，明早6点开始采样。",
            "priority": Priority.URGENT,
            "issued": now - dt.timedelta(hours=3),
            "deadline": now + dt.timedelta(hours=6),
            "number_label": "已告知户数",
            "states": [cycle[i % len(cycle)] for i in range(len(units))],
        },
        {
            "title": "核查管控区内独居老人和特殊人群",
            "text": "逐户核查独居老人、孕产妇、透析病人等特殊人群，建立清单并明确联系人。",
            "priority": Priority.HIGH,
            "issued": now - dt.timedelta(minutes=20),
            "deadline": now + dt.timedelta(days=1),
            "number_label": "已核查户数",
            "states": ["issued"] * len(units),
        },
        {
            "title": "封控楼栋上门采样安排",
            "text": "封控楼栋实行上门采样，请各单位落实每栋楼的采样人员和时间。",
            "priority": Priority.URGENT,
            "issued": now - grace - dt.timedelta(hours=8),
            "deadline": now - grace - dt.timedelta(minutes=30),
            "number_label": "",
            "states": ["signed" if i % 2 == 0 else "issued" for i in range(len(units))],
            "escalate": True,
        },
        {
            "title": "统计需要就医配药的居民",
            "text": "请各单位按楼幢统计需要就医、配药的居民，由包楼干部逐户了解后汇总上报。",
            "priority": Priority.NORMAL,
            "issued": now - dt.timedelta(hours=2),
            "deadline": now + dt.timedelta(days=2),
            "number_label": "需配药人数",
            "states": ["signed"] * len(units),
            "tasks": True,
        },
        {
            "title": "报送隔离点物资需求",
            "text": "请各单位报送本单位负责区域内隔离点的物资需求清单。",
            "priority": Priority.NORMAL,
            "issued": now - dt.timedelta(hours=10),
            "deadline": now - dt.timedelta(hours=1),
            "number_label": "",
            "states": ["completed"] * len(units),
        },
    ]
    directives: list[Directive] = []
    for spec in specs:
        existing = Directive.objects.filter(incident=incident, title=spec["title"]).first()
        if existing is not None:
            directives.append(existing)
            continue
        issued: dt.datetime = spec["issued"]  # type: ignore[assignment]
        directive = services.issue_directive(
            incident=incident,
            issued_by=command_post_user,
            title=str(spec["title"]),
            text=str(spec["text"]),
            priority=str(spec["priority"]),
            deadline=spec["deadline"],  # type: ignore[arg-type]
            units=units,
            number_label=str(spec["number_label"]),
            now=issued,
        )
        for unit, state in zip(units, spec["states"], strict=True):  # type: ignore[call-overload]
            _advance(directive, unit, state, issued + dt.timedelta(minutes=10))
        if spec.get("tasks"):
            _demo_tasks(directive, units[0], issued + dt.timedelta(minutes=40))
        if spec.get("escalate"):
            deadline: dt.datetime = spec["deadline"]  # type: ignore[assignment]
            services.sweep(deadline + dt.timedelta(minutes=1), directive=directive)
            services.sweep(now, directive=directive)
        directive.refresh_from_db()
        directives.append(directive)
    return directives


def _demo_tasks(directive: Directive, unit: Unit, at: dt.datetime) -> None:
    staff = _staff(unit)
    if len(staff) < 2 or staff[0].role != Role.UNIT_LEADER:
        return
    leader, cadre = staff[0], staff[1]
    target = directive.targets.get(unit=unit)
    task = services.assign_task(
        target, leader, cadre, place=_building_of(unit), note="逐户电话了解，今天内报数。", now=at
    )
    services.report_task(
        task, cadre, text="已联系全部住户，3户需配药。", number=Decimal(3),
        now=at + dt.timedelta(hours=1),
    )  # fmt: skip
