"""Handover (交接): tubes packed in a box at the point, the box handed to a transport and
received by a lab, the tubes counted at each step. A count that differs from what the box
should hold is flagged on the box and the command post is told at once."""

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.db import IntegrityError, transaction
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from tongxin.sampling.models import (
    Box,
    BoxStatus,
    HandoverStage,
    HandoverStep,
    Tube,
    TubeStatus,
)
from tongxin.sampling.services.access import can
from tongxin.testing.models import TestPoint, TestRound


class HandoverError(ValueError):
    pass


def _allowed(user: Any) -> None:
    if not can(user, "handover"):
        raise HandoverError(_("您没有样本交接的权限"))


def get_box(user: Any, box_id: int, *, lock: bool = False) -> Box:
    qs = Box.objects.visible_to(user)
    if lock:
        qs = qs.select_for_update()
    box = qs.filter(pk=box_id).first()
    if box is None:
        raise Http404
    return box


def create_box(user: Any, test_round: TestRound, point: TestPoint | None, code: str) -> Box:
    _allowed(user)
    code = code.strip()
    if not code:
        raise HandoverError(_("请扫描或填写箱号"))
    try:
        with transaction.atomic():
            return Box.objects.create(code=code[:64], round=test_round, point=point)
    except IntegrityError:
        raise HandoverError(_("箱号 %(code)s 已被使用") % {"code": code}) from None


@dataclass
class PackResult:
    packed: list[str] = field(default_factory=list)
    refused: list[dict[str, str]] = field(default_factory=list)


@transaction.atomic
def pack(user: Any, box_id: int, barcodes: Iterable[str]) -> PackResult:
    """Put closed (or full) tubes of the box's round in the box."""
    _allowed(user)
    box = get_box(user, box_id, lock=True)
    if box.status != BoxStatus.PACKING:
        raise HandoverError(_("转运箱已封箱，不能再装管"))
    wanted = [b.strip() for b in barcodes if b and b.strip()]
    tubes = {t.barcode: t for t in Tube.objects.select_for_update().filter(barcode__in=wanted)}
    result = PackResult()
    for barcode in dict.fromkeys(wanted):
        tube = tubes.get(barcode)
        reason = ""
        if tube is None:
            reason = _("试管未登记")
        elif tube.round_id != box.round_id:
            reason = _("试管属于其他轮次")
        elif tube.status == TubeStatus.OPEN:
            reason = _("试管尚未封管")
        elif tube.box_id is not None and tube.box_id != box.pk:
            reason = _("试管已装入其他转运箱")
        if reason:
            result.refused.append({"barcode": barcode, "message": reason})
            continue
        if tube.box_id != box.pk:  # type: ignore[union-attr]
            Tube.objects.filter(pk=tube.pk).update(box=box)  # type: ignore[union-attr]
        result.packed.append(barcode)
    return result


def _step(
    user: Any,
    box: Box,
    stage: str,
    counted: int,
    party: str,
    now: dt.datetime,
    note: str = "",
) -> HandoverStep:
    if counted < 0:
        raise HandoverError(_("清点数量不能为负数"))
    expected = box.sealed_count if box.sealed_count is not None else box.tubes.count()
    try:
        with transaction.atomic():
            step = HandoverStep.objects.create(
                box=box, stage=stage, expected=expected, counted=counted, party=party[:100],
                at=now, by=user if getattr(user, "pk", None) else None, note=note[:255],
            )  # fmt: skip
    except IntegrityError:
        raise HandoverError(_("该环节已登记过")) from None
    if not step.ok:
        box.mismatch = True
        _tell_mismatch(box, step)
    return step


def _tell_mismatch(box: Box, step: HandoverStep) -> None:
    from tongxin.accounts.models import Role, User
    from tongxin.notifications.services import notify, safe_reverse

    context = {
        "box": box.code,
        "stage": step.get_stage_display(),
        "expected": step.expected,
        "counted": step.counted,
        "party": step.party or "—",
    }
    link = safe_reverse("sampling:box", box.pk)
    users = list(User.objects.filter(role=Role.COMMAND_POST, is_active=True))

    def send() -> None:
        notify("handover_mismatch", users=users, context=context, link=link)

    transaction.on_commit(send, robust=True)


@transaction.atomic
def seal_box(user: Any, box_id: int, counted: int, now: dt.datetime | None = None) -> HandoverStep:
    """The point closes the box: the packer's own count against the tubes scanned in."""
    _allowed(user)
    box = get_box(user, box_id, lock=True)
    if box.status != BoxStatus.PACKING:
        raise HandoverError(_("转运箱已封箱"))
    now = now or timezone.now()
    box.sealed_count = box.tubes.count()
    if not box.sealed_count:
        raise HandoverError(_("空箱不能封箱"))
    box.sealed_at = now
    box.status = BoxStatus.SEALED
    step = _step(user, box, HandoverStage.SEAL, counted, box.point.name if box.point else "", now)
    box.save()
    return step


@transaction.atomic
def hand_to_transport(
    user: Any, box_id: int, transport: str, counted: int, now: dt.datetime | None = None
) -> HandoverStep:
    _allowed(user)
    box = get_box(user, box_id, lock=True)
    if box.status != BoxStatus.SEALED:
        raise HandoverError(_("转运箱尚未封箱，或已交转运"))
    transport = transport.strip()
    if not transport:
        raise HandoverError(_("请填写转运人员或车辆"))
    now = now or timezone.now()
    box.transport = transport[:100]
    box.status = BoxStatus.IN_TRANSIT
    step = _step(user, box, HandoverStage.TRANSPORT, counted, transport, now)
    box.save()
    return step


@transaction.atomic
def receive_at_lab(
    user: Any,
    box_id: int,
    lab: str,
    *,
    counted: int | None = None,
    barcodes: Iterable[str] | None = None,
    now: dt.datetime | None = None,
) -> tuple[HandoverStep, dict[str, list[str]]]:
    """The lab takes the box over: a count, or the barcodes it scanned (then missing and
    unexpected tubes are named)."""
    _allowed(user)
    box = get_box(user, box_id, lock=True)
    if box.status != BoxStatus.IN_TRANSIT:
        raise HandoverError(_("转运箱不在转运中"))
    lab = lab.strip()
    if not lab:
        raise HandoverError(_("请填写检测机构"))
    now = now or timezone.now()
    detail: dict[str, list[str]] = {"missing": [], "unexpected": []}
    note = ""
    if barcodes is not None:
        scanned = {b.strip() for b in barcodes if b and b.strip()}
        packed = set(box.tubes.values_list("barcode", flat=True))
        detail = {"missing": sorted(packed - scanned), "unexpected": sorted(scanned - packed)}
        counted = len(scanned)
        if detail["missing"] or detail["unexpected"]:
            note = _("缺少 %(m)d 管，多出 %(u)d 管") % {
                "m": len(detail["missing"]),
                "u": len(detail["unexpected"]),
            }
            box.mismatch = True
    if counted is None:
        raise HandoverError(_("请填写清点数量或扫描试管"))
    box.lab = lab[:100]
    box.status = BoxStatus.RECEIVED
    step = _step(user, box, HandoverStage.LAB, counted, lab, now, note)
    if note and step.ok:
        _tell_mismatch(box, step)
    box.save()
    return step, detail
