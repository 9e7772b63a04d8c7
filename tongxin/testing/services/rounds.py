"""Rounds, their scope and modes, test points, and exemptions."""

import datetime as dt
import math
from collections.abc import Iterable
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from tongxin.incidents.models import Incident
from tongxin.people.models import Person
from tongxin.places.models import Place, PlaceKind
from tongxin.testing.models import (
    POOL_SIZES,
    Exemption,
    RoundArea,
    RoundPoint,
    RoundStatus,
    SamplingMode,
    TestPoint,
    TestRound,
)
from tongxin.testing.services.scope import in_scope

# The national guide's sampler throughput when an edition gives none.
DEFAULT_PEOPLE_PER_SAMPLER_HOUR = 30

# Places a round's scope may name: whole areas, not single households.
SCOPE_KINDS = {
    PlaceKind.COUNTY,
    PlaceKind.TOWNSHIP,
    PlaceKind.COMMUNITY,
    PlaceKind.ESTATE,
    PlaceKind.BUILDING,
    PlaceKind.STAIRWELL,
}


class RoundError(ValueError):
    pass


def _aware(value: dt.datetime, label: str) -> dt.datetime:
    if timezone.is_naive(value):
        raise RoundError(_("%(label)s必须带时区") % {"label": label})
    return value


def people_per_sampler_hour(round: TestRound) -> int:
    """Throughput per sampler: the round's own figure, else the edition's, else 30."""
    if round.people_per_sampler_hour:
        return round.people_per_sampler_hour
    value = round.incident.policy_edition.rule("mass_testing", "people_per_sampler_hour")
    if isinstance(value, int | float) and value > 0:
        return int(value)
    return DEFAULT_PEOPLE_PER_SAMPLER_HOUR


def people_per_point(incident: Incident) -> int:
    value = incident.policy_edition.rule("mass_testing", "people_per_point")
    return int(value) if isinstance(value, int | float) and value > 0 else 2500


@transaction.atomic
def create_round(
    incident: Incident,
    name: str,
    starts_at: dt.datetime,
    deadline: dt.datetime,
    scope: Iterable[Place],
    *,
    by: Any = None,
    people_per_sampler_hour: int | None = None,
) -> TestRound:
    """A round of the incident over the given places (everything under them is tested)."""
    name = (name or "").strip()
    if not name:
        raise RoundError(_("请填写轮次名称"))
    starts_at, deadline = _aware(starts_at, _("开始时间")), _aware(deadline, _("完成时限"))
    if deadline <= starts_at:
        raise RoundError(_("完成时限必须晚于开始时间"))
    if not incident.is_open:
        raise RoundError(_("响应事件已结束，不能再发起核酸轮次"))
    places = list(scope)
    if not places:
        raise RoundError(_("请至少选择一个检测范围"))
    if people_per_sampler_hour is not None and people_per_sampler_hour <= 0:
        raise RoundError(_("每名采样人员每小时采样人数必须大于 0"))
    round = TestRound.objects.create(
        incident=incident,
        name=name[:100],
        starts_at=starts_at,
        deadline=deadline,
        created_by=by if getattr(by, "pk", None) else None,
        people_per_sampler_hour=people_per_sampler_hour,
    )
    for place in places:
        add_area(round, place)
    return round


def _check_open(round: TestRound) -> None:
    if round.status == RoundStatus.CLOSED:
        raise RoundError(_("本轮已结束，不能再修改"))


def add_area(round: TestRound, place: Place, mode_override: str = "") -> RoundArea:
    """Add a place to the scope, or set the mode of a place already in it (blank: as the
    policy edition says). A place inside the scope may carry an override of its own."""
    _check_open(round)
    if place.kind not in SCOPE_KINDS:
        raise RoundError(_("检测范围应为小区、楼幢等区域，不能是单个住户"))
    if mode_override and mode_override not in POOL_SIZES:
        raise RoundError(_("不支持的采样方式：%(mode)s") % {"mode": mode_override})
    area, created = RoundArea.objects.get_or_create(
        round=round, place=place, defaults={"mode_override": mode_override}
    )
    if not created and area.mode_override != mode_override:
        area.mode_override = mode_override
        area.save(update_fields=["mode_override"])
    return area


def set_mode_override(round: TestRound, place: Place, mode: str) -> RoundArea:
    """Override the mode for a place (inside the scope); an empty mode clears it."""
    if not in_scope(round, place):
        raise RoundError(_("%(place)s 不在本轮检测范围内") % {"place": place})
    if mode and SamplingMode(mode) not in POOL_SIZES:
        raise RoundError(_("不支持的采样方式：%(mode)s") % {"mode": mode})
    return add_area(round, place, mode)


def remove_area(round: TestRound, place: Place) -> None:
    _check_open(round)
    if round.areas.count() <= 1 and round.areas.filter(place=place).exists():
        raise RoundError(_("检测范围不能为空"))
    RoundArea.objects.filter(round=round, place=place).delete()


def set_status(round: TestRound, status: str) -> TestRound:
    order = [RoundStatus.PLANNED, RoundStatus.ACTIVE, RoundStatus.CLOSED]
    if order.index(RoundStatus(status)) < order.index(RoundStatus(round.status)):
        raise RoundError(_("轮次状态不能倒退"))
    round.status = status
    round.save(update_fields=["status"])
    return round


# --- test points ----------------------------------------------------------------------------


def create_point(
    name: str,
    place: Place,
    opens_at: dt.time,
    closes_at: dt.time,
    samplers: int,
    *,
    address: str = "",
    latitude: Any = None,
    longitude: Any = None,
) -> TestPoint:
    name = (name or "").strip()
    if not name:
        raise RoundError(_("请填写采样点名称"))
    if samplers < 1:
        raise RoundError(_("采样人员数至少为 1"))
    if opens_at == closes_at:
        raise RoundError(_("开放时间和关闭时间不能相同"))
    if latitude is None and place.latitude is not None:
        latitude, longitude = place.latitude, place.longitude
    return TestPoint.objects.create(
        name=name[:100],
        place=place,
        address=address or place.address[:255],
        opens_at=opens_at,
        closes_at=closes_at,
        samplers=samplers,
        latitude=latitude,
        longitude=longitude,
    )


def attach_point(
    round: TestRound,
    point: TestPoint,
    serves: Iterable[Place] = (),
    samplers: int | None = None,
) -> RoundPoint:
    """Put a point to work in a round, serving the given places (none: the nearest ones)."""
    _check_open(round)
    if samplers is not None and samplers < 1:
        raise RoundError(_("采样人员数至少为 1"))
    served = list(serves)
    outside = [p for p in served if not in_scope(round, p)]
    if outside:
        raise RoundError(_("%(place)s 不在本轮检测范围内") % {"place": outside[0]})
    round_point, created = RoundPoint.objects.get_or_create(
        round=round, point=point, defaults={"samplers": samplers}
    )
    if not created and samplers is not None and round_point.samplers != samplers:
        round_point.samplers = samplers
        round_point.save(update_fields=["samplers"])
    if served:
        round_point.serves.set(served)
    return round_point


def detach_point(round: TestRound, point: TestPoint) -> None:
    _check_open(round)
    RoundPoint.objects.filter(round=round, point=point).delete()


# --- exemptions ------------------------------------------------------------------------------


def exempt(
    round: TestRound, person: Person, reason: str, note: str = "", *, by: Any = None
) -> Exemption:
    """Record why a person is not expected at a point (or is sampled at the door)."""
    from tongxin.testing.models import ExemptionReason

    _check_open(round)
    if reason not in ExemptionReason.values:
        raise RoundError(_("请选择免检原因"))
    if not in_scope(round, person.household):
        raise RoundError(_("该居民不在本轮检测范围内"))
    exemption, _created = Exemption.objects.update_or_create(
        round=round,
        person=person,
        defaults={
            "reason": reason,
            "note": (note or "")[:255],
            "created_by": by if getattr(by, "pk", None) else None,
        },
    )
    return exemption


def revoke_exemption(round: TestRound, person: Person) -> None:
    _check_open(round)
    Exemption.objects.filter(round=round, person=person).delete()


def hours_between(start: dt.datetime, end: dt.datetime) -> float:
    return max(0.0, (end - start).total_seconds() / 3600)


def ceil_div(a: float, b: float) -> int:
    return math.ceil(a / b - 1e-9) if b > 0 else 0
