"""Transfer batches (转运批次): planning, the escort's check-ins and contact logs, escalation
of the unreachable, the site's receipt, reconciliation and closing, handover and disinfection.

The head count always reconciles: planned = boarded + unreachable + refused + deferred +
not found, and received = boarded. A batch that does not reconcile cannot be closed, and both
sides are told. Nobody disappears: whoever did not board goes back onto the transfer list.
"""

import datetime as dt
import io
import uuid
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from tongxin.accounts.models import Role, User
from tongxin.accounts.permissions import Perm, has_perm
from tongxin.incidents.models import Incident
from tongxin.isolation.models import (
    FINAL_OUTCOMES,
    Batch,
    BatchMember,
    BatchStatus,
    CheckIn,
    ContactAttempt,
    ContactMethod,
    Disinfection,
    EntryStatus,
    Outcome,
    Site,
    TransferEntry,
)
from tongxin.isolation.services import IsolationError, NotAllowed
from tongxin.isolation.services.transfer_list import households

# --- who may do what --------------------------------------------------------------------------


def is_planner(user: Any) -> bool:
    return has_perm(user, Perm.PLAN_TRANSFERS)


def is_crew(user: Any, batch: Batch) -> bool:
    return getattr(user, "pk", None) in (batch.escort_id, batch.driver_id)


def is_site_staff(user: Any, site: Site) -> bool:
    pk = getattr(user, "pk", None)
    return pk is not None and (site.lead_id == pk or site.staff.filter(pk=pk).exists())


def can_check_in(user: Any, batch: Batch) -> bool:
    return has_perm(user, Perm.WORK_ISOLATION) and (is_planner(user) or is_crew(user, batch))


def can_receive(user: Any, batch: Batch) -> bool:
    return has_perm(user, Perm.WORK_ISOLATION) and (
        is_planner(user) or is_site_staff(user, batch.site)
    )


def visible_batch(user: Any, pk: int) -> Batch:
    batch = Batch.objects.visible_to(user).select_related("site", "incident").filter(pk=pk).first()
    if batch is None:
        raise Http404
    return batch


# --- planning ---------------------------------------------------------------------------------


def _next_code(planned_at: dt.datetime) -> str:
    day = timezone.localtime(planned_at).strftime("%Y%m%d")
    taken = Batch.objects.filter(code__startswith=f"ZY{day}-").count()
    return f"ZY{day}-{taken + 1:03d}"


@transaction.atomic
def create_batch(
    user: Any, incident: Incident, site: Site, entries: Iterable[TransferEntry], *,
    vehicle_plate: str, seats: int, planned_at: dt.datetime, escort: User | None = None,
    driver: User | None = None, driver_name: str = "", driver_phone: str = "",
) -> Batch:  # fmt: skip
    """A batch for the entries and everyone travelling with them (their household and a
    child's companion), in pick-up order household by household."""
    if user is not None and not is_planner(user):
        raise NotAllowed(_("您没有编排转运批次的权限"))
    chosen = list(entries)
    if not chosen:
        raise IsolationError(_("批次中至少要有一人"))
    keys = {e.household_key for e in chosen}
    pool = (
        TransferEntry.objects.select_for_update(of=("self",))
        .filter(incident=incident, status=EntryStatus.WAITING)
        .select_related("companion_of")
    )
    wanted_ids = {e.pk for e in chosen}
    travelling = [
        e for e in pool.order_by("household__path", "household_id", "pk")
        if e.pk in wanted_ids or e.household_key in keys
    ]  # fmt: skip
    missing = wanted_ids - {e.pk for e in travelling}
    if missing:
        raise IsolationError(_("有 %(n)d 人已不在待转运名单中") % {"n": len(missing)})
    if len(travelling) > seats:
        raise IsolationError(
            _("共 %(n)d 人（含同户人员），超过车辆座位数 %(seats)d")
            % {"n": len(travelling), "seats": seats}
        )
    batch = Batch.objects.create(
        incident=incident, code=_next_code(planned_at), site=site, vehicle_plate=vehicle_plate,
        seats=seats, planned_at=planned_at, escort=escort, driver=driver,
        driver_name=driver_name or (str(driver) if driver else ""), driver_phone=driver_phone,
        created_by=user if getattr(user, "pk", None) else None,
    )  # fmt: skip
    members: list[BatchMember] = []
    for stop, group in enumerate(households(travelling), start=1):
        members.extend(BatchMember(batch=batch, entry=e, stop=stop) for e in group)
    BatchMember.objects.bulk_create(members)
    TransferEntry.objects.filter(pk__in=[e.pk for e in travelling]).update(
        status=EntryStatus.IN_BATCH
    )
    return batch


# --- check-ins at pick-up ---------------------------------------------------------------------


def _member(batch: Batch, member_id: Any) -> BatchMember:
    member = (
        BatchMember.objects.select_for_update()
        .filter(batch=batch, pk=member_id)
        .select_related("entry")
        .first()
    )
    if member is None:
        raise IsolationError(_("该人员不在本批次中"))
    return member


def _start(batch: Batch) -> None:
    if batch.status == BatchStatus.PLANNED:
        batch.status = BatchStatus.PICKING_UP
        batch.save(update_fields=["status"])


def _set_outcome(
    user: Any, batch: Batch, member: BatchMember, outcome: str, reason: str, at: dt.datetime
) -> None:
    if outcome not in FINAL_OUTCOMES:
        raise IsolationError(_("结果无效"))
    if member.received_at is not None:
        raise IsolationError(_("%(name)s 已由隔离点签收") % {"name": member.entry.name})
    if outcome != Outcome.BOARDED and not reason.strip():
        raise IsolationError(_("未上车须说明原因"))
    if outcome == Outcome.UNREACHABLE and not member.contacts.exists():
        raise IsolationError(_("联系不上须先记录联系经过（电话、敲门、亲属、邻居或公安）"))
    member.outcome, member.outcome_reason, member.outcome_at = outcome, reason.strip(), at
    member.outcome_by = user if getattr(user, "pk", None) else None
    if outcome == Outcome.UNREACHABLE and member.unreachable_since is None:
        member.unreachable_since = at
    member.save()
    _start(batch)


def _log_contact(
    user: Any, batch: Batch, member: BatchMember, method: str, result: str, at: dt.datetime
) -> ContactAttempt:
    if method not in ContactMethod.values:
        raise IsolationError(_("联系方式无效"))
    if not result.strip():
        raise IsolationError(_("请填写联系结果"))
    attempt = ContactAttempt.objects.create(
        member=member, at=at, method=method, outcome=result.strip()[:255],
        by=user if getattr(user, "pk", None) else None,
    )  # fmt: skip
    _start(batch)
    return attempt


STORED, DUPLICATE, REFUSED = "stored", "duplicate", "refused"


@dataclass
class CheckInResult:
    client_id: str
    status: str
    message: str = ""
    member: int | None = None
    outcome: str = ""

    def as_dict(self) -> dict[str, Any]:
        return {
            "client_id": self.client_id, "status": self.status, "message": self.message,
            "member": self.member, "outcome": self.outcome,
        }  # fmt: skip


def _parse_at(raw: Any, now: dt.datetime) -> dt.datetime:
    if isinstance(raw, dt.datetime):
        at = raw
    elif isinstance(raw, str) and raw:
        try:
            at = dt.datetime.fromisoformat(raw.replace("Z", "+00:00"))
        except ValueError:
            return now
    else:
        return now
    if timezone.is_naive(at):
        at = timezone.make_aware(at)
    return min(at, now)


def apply_checkins(
    user: Any, batch: Batch, items: Iterable[dict[str, Any]], now: dt.datetime | None = None
) -> list[CheckInResult]:
    """The escort's phone sends what it queued (perhaps twice, after a lost answer): each item
    {client_id, member, kind: "outcome"|"contact", outcome, reason, method, result, at} is
    applied once, by its client id, in order."""
    if not can_check_in(user, batch):
        raise NotAllowed(_("只有本批次的随车人员可以登记"))
    if batch.status == BatchStatus.CLOSED:
        raise IsolationError(_("批次已结束"))
    now = now or timezone.now()
    results = []
    for raw in items:
        client = str(raw.get("client_id") or "")
        try:
            uid = uuid.UUID(client)
        except ValueError:
            results.append(CheckInResult(client, REFUSED, _("缺少有效的客户端编号")))
            continue
        if CheckIn.objects.filter(client_id=uid).exists():
            results.append(CheckInResult(str(uid), DUPLICATE, member=raw.get("member")))
            continue
        kind = raw.get("kind") or "outcome"
        at = _parse_at(raw.get("at"), now)
        try:
            with transaction.atomic():
                member = _member(batch, raw.get("member"))
                if kind == "contact":
                    _log_contact(
                        user, batch, member, str(raw.get("method") or ""),
                        str(raw.get("result") or ""), at,
                    )  # fmt: skip
                elif kind == "outcome":
                    _set_outcome(
                        user, batch, member, str(raw.get("outcome") or ""),
                        str(raw.get("reason") or ""), at,
                    )  # fmt: skip
                else:
                    raise IsolationError(_("登记类型无效"))
                CheckIn.objects.create(
                    client_id=uid, member=member, kind=kind, at=at,
                    by=user if getattr(user, "pk", None) else None,
                    payload={k: raw.get(k) for k in ("outcome", "method") if raw.get(k)},
                )  # fmt: skip
        except IsolationError as exc:
            results.append(CheckInResult(str(uid), REFUSED, str(exc), raw.get("member")))
            continue
        results.append(CheckInResult(str(uid), STORED, member=member.pk, outcome=member.outcome))
    return results


def record_outcome(
    user: Any, member: BatchMember, outcome: str, reason: str = "", at: dt.datetime | None = None
) -> CheckInResult:
    result = apply_checkins(
        user, member.batch,
        [{"client_id": str(uuid.uuid4()), "member": member.pk, "kind": "outcome",
          "outcome": outcome, "reason": reason, "at": at}],
    )[0]  # fmt: skip
    if result.status == REFUSED:
        raise IsolationError(result.message)
    return result


def log_contact(
    user: Any, member: BatchMember, method: str, result: str, at: dt.datetime | None = None
) -> CheckInResult:
    answer = apply_checkins(
        user, member.batch,
        [{"client_id": str(uuid.uuid4()), "member": member.pk, "kind": "contact",
          "method": method, "result": result, "at": at}],
    )[0]  # fmt: skip
    if answer.status == REFUSED:
        raise IsolationError(answer.message)
    return answer


# --- escalation -------------------------------------------------------------------------------


def _units_for(household_path: str) -> list[Any]:
    from tongxin.units.models import Unit, UnitAssignment

    prefixes = [household_path[:i] for i in range(4, len(household_path) + 1, 4)]
    unit_ids = (
        UnitAssignment.objects.active()
        .filter(place__path__in=prefixes)
        .values_list("unit_id", flat=True)
    )
    return list(Unit.objects.filter(pk__in=list(unit_ids)))


def escalate_unreachable(now: dt.datetime | None = None) -> int:
    """Tell the grid (the units responsible for the household) and the command post about
    people unreachable for longer than the configured minutes. Each is escalated once."""
    from tongxin.notifications.services import notify, safe_reverse

    now = now or timezone.now()
    limit = now - dt.timedelta(minutes=settings.TONGXIN_ISOLATION_ESCALATION_MINUTES)
    due = list(
        BatchMember.objects.filter(
            outcome=Outcome.UNREACHABLE, escalated_at__isnull=True, unreachable_since__lte=limit
        ).select_related("batch", "batch__incident", "entry", "entry__household")
    )
    command_post = list(User.objects.filter(role=Role.COMMAND_POST, is_active=True))
    for member in due:
        entry = member.entry
        units = _units_for(entry.household.path) if entry.household is not None else []
        notify(
            "transfer_unreachable",
            users=command_post,
            units=units,
            context={
                "batch": member.batch.code,
                "name": entry.name,
                "address": entry.address,
                "since": timezone.localtime(member.unreachable_since).strftime("%H:%M"),
                "attempts": member.contacts.count(),
            },
            link=safe_reverse("isolation:batch", member.batch_id),
            incident=member.batch.incident,
        )
        member.escalated_at = now
        member.save(update_fields=["escalated_at"])
    return len(due)


# --- arrival, reconciliation and closing -----------------------------------------------------


@dataclass
class Reconciliation:
    planned: int
    counts: dict[str, int]
    received: int
    received_not_boarded: int
    problems: list[str] = field(default_factory=list)

    @property
    def reconciles(self) -> bool:
        return not self.problems

    def as_dict(self) -> dict[str, Any]:
        c = self.counts
        return {
            "planned": self.planned, "boarded": c.get(Outcome.BOARDED, 0),
            "unreachable": c.get(Outcome.UNREACHABLE, 0), "refused": c.get(Outcome.REFUSED, 0),
            "deferred": c.get(Outcome.DEFERRED, 0), "not_found": c.get(Outcome.NOT_FOUND, 0),
            "pending": c.get(Outcome.PENDING, 0), "received": self.received,
            "reconciles": self.reconciles, "problems": self.problems,
        }  # fmt: skip


def reconcile(batch: Batch) -> Reconciliation:
    rows = list(batch.members.values_list("outcome", "received_at"))
    counts = Counter(o for o, _r in rows)
    received = sum(1 for _o, r in rows if r is not None)
    wrong = sum(1 for o, r in rows if r is not None and o != Outcome.BOARDED)
    result = Reconciliation(len(rows), dict(counts), received, wrong)
    accounted = sum(counts.get(o, 0) for o in FINAL_OUTCOMES)
    if counts.get(Outcome.PENDING):
        result.problems.append(_("还有 %(n)d 人没有登记结果") % {"n": counts[Outcome.PENDING]})
    if accounted + counts.get(Outcome.PENDING, 0) != len(rows):
        result.problems.append(_("计划人数与各项结果之和不符"))
    boarded = counts.get(Outcome.BOARDED, 0)
    if received != boarded or wrong:
        result.problems.append(
            _("上车 %(boarded)d 人，隔离点签收 %(received)d 人")
            % {"boarded": boarded, "received": received}
        )
    return result


@transaction.atomic
def receive(
    user: Any, batch: Batch, member_ids: Iterable[int], at: dt.datetime | None = None
) -> list[BatchMember]:
    """The site signs for each person who arrived. Only someone who boarded can be received;
    each one is admitted (their stay starts, the edition snapshotted)."""
    from tongxin.isolation.services.stays import admit

    if not can_receive(user, batch):
        raise NotAllowed(_("只有目的隔离点的工作人员可以签收"))
    batch = Batch.objects.select_for_update().get(pk=batch.pk)
    if batch.status == BatchStatus.CLOSED:
        raise IsolationError(_("批次已结束"))
    at = at or timezone.now()
    ids = set(member_ids)
    members = list(batch.members.filter(pk__in=ids).select_related("entry"))
    if len(members) != len(ids):
        raise IsolationError(_("签收名单中有不属于本批次的人员"))
    not_boarded = [m.entry.name for m in members if m.outcome != Outcome.BOARDED]
    if not_boarded:
        raise IsolationError(
            _("以下人员没有上车记录，不能签收：%(names)s") % {"names": "、".join(not_boarded)}
        )
    done = []
    for member in members:
        if member.received_at is not None:
            continue
        member.received_at = at
        member.received_by = user if getattr(user, "pk", None) else None
        member.save(update_fields=["received_at", "received_by"])
        admit(member, at)
        done.append(member)
    if batch.status != BatchStatus.ARRIVED:
        batch.status = BatchStatus.ARRIVED
        batch.arrived_at = batch.arrived_at or at
        batch.save(update_fields=["status", "arrived_at"])
    return done


def _tell_mismatch(batch: Batch, result: Reconciliation) -> None:
    from tongxin.notifications.services import notify, safe_reverse

    users = [u for u in (batch.escort, batch.driver, batch.site.lead) if u is not None]
    users += list(batch.site.staff.all())
    notify(
        "transfer_mismatch",
        users=users,
        context={"batch": batch.code, "site": batch.site.name, **result.as_dict()},
        link=safe_reverse("isolation:batch", batch.pk),
        incident=batch.incident,
    )


def close_batch(user: Any, batch: Batch, now: dt.datetime | None = None) -> Reconciliation:
    """Close a batch that reconciles. One that does not is flagged, both sides are told, and
    it stays open. Whoever did not board goes back onto the transfer list."""
    if not (is_planner(user) or can_receive(user, batch) or can_check_in(user, batch)):
        raise NotAllowed(_("您不能结束该批次"))
    now = now or timezone.now()
    with transaction.atomic():
        batch = Batch.objects.select_for_update().select_related("site").get(pk=batch.pk)
        if batch.status == BatchStatus.CLOSED:
            raise IsolationError(_("批次已结束"))
        result = reconcile(batch)
        if not result.reconciles and not batch.mismatch:
            batch.mismatch = True
            batch.save(update_fields=["mismatch"])
    if not result.reconciles:
        _tell_mismatch(batch, result)
        raise MismatchError(result)
    with transaction.atomic():
        members = list(batch.members.select_related("entry"))
        back = [m.entry_id for m in members if m.outcome != Outcome.BOARDED]
        TransferEntry.objects.filter(pk__in=back).update(status=EntryStatus.WAITING)
        from tongxin.isolation.services.stays import cancel_allocations

        cancel_allocations([m.pk for m in members if m.outcome != Outcome.BOARDED], by=user)
        batch.status, batch.closed_at, batch.mismatch = BatchStatus.CLOSED, now, False
        batch.save(update_fields=["status", "closed_at", "mismatch"])
    return result


class MismatchError(IsolationError):
    def __init__(self, result: Reconciliation) -> None:
        self.result = result
        super().__init__(
            _("人数不符，不能结束批次：%(problems)s") % {"problems": "；".join(result.problems)}
        )


def record_disinfection(
    user: Any, batch: Batch, *, agent: str, at: dt.datetime | None = None, note: str = ""
) -> Disinfection:
    if not (can_check_in(user, batch) or can_receive(user, batch)):
        raise NotAllowed(_("您不能登记该车辆的消杀"))
    if not agent.strip():
        raise IsolationError(_("请填写消毒剂或消杀方式"))
    return Disinfection.objects.create(
        batch=batch, at=at or timezone.now(), agent=agent.strip(), note=note,
        by=user if getattr(user, "pk", None) else None,
    )  # fmt: skip


def batch_summary(batch: Batch) -> dict[str, Any]:
    """What `tongxin isolation batch` prints."""
    return {
        "batch": batch.code, "id": batch.pk, "site": batch.site.name, "status": batch.status,
        "vehicle": batch.vehicle_plate, **reconcile(batch).as_dict(),
        "disinfected": batch.disinfections.exists(),
    }  # fmt: skip


def unresolved_q() -> Q:
    return Q(outcome=Outcome.UNREACHABLE) | Q(outcome=Outcome.PENDING)


# --- the handover form (转运交接表) -----------------------------------------------------------


def handover_rows(batch: Batch) -> list[dict[str, Any]]:
    rows = []
    for m in batch.members.select_related("entry").order_by("stop", "pk"):
        e = m.entry
        rows.append(
            {
                "stop": m.stop,
                "name": e.name,
                "document_masked": e.document_masked,
                "age": e.age,
                "level": str(e.get_level_display()),
                "address": e.address,
                "needs": "、".join(e.need_labels()),
                "outcome": str(m.get_outcome_display()),
                "reason": m.outcome_reason,
                "received": timezone.localtime(m.received_at).strftime("%H:%M")
                if m.received_at
                else "",
            }
        )
    return rows


HANDOVER_HEADERS = (
    "序号", "姓名", "证件号码", "年龄", "类别", "接送地址", "特殊需求", "转运结果", "原因",
    "签收时间",
)  # fmt: skip


def handover_xlsx(batch: Batch) -> bytes:
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    ws.title = "转运交接表"
    result = reconcile(batch)
    ws.append([f"转运交接表 {batch.code}"])
    ws.append(
        ["目的隔离点", batch.site.name, "车牌", batch.vehicle_plate, "驾驶员",
         batch.driver_name, "电话", batch.driver_phone_masked]
    )  # fmt: skip
    ws.append(
        ["随车人员", str(batch.escort or ""), "计划出发",
         timezone.localtime(batch.planned_at).strftime("%Y-%m-%d %H:%M")]
    )  # fmt: skip
    ws.append([])
    ws.append(list(HANDOVER_HEADERS))
    for r in handover_rows(batch):
        ws.append(
            [r["stop"], r["name"], r["document_masked"], r["age"], r["level"], r["address"],
             r["needs"], r["outcome"], r["reason"], r["received"]]
        )  # fmt: skip
    ws.append([])
    counts = result.as_dict()
    ws.append(
        ["计划", counts["planned"], "上车", counts["boarded"], "联系不上", counts["unreachable"],
         "拒绝", counts["refused"], "暂缓", counts["deferred"], "查无此人", counts["not_found"],
         "签收", counts["received"]]
    )  # fmt: skip
    ws.append(["转运方签字", "", "", "隔离点签字", "", "", "交接时间", ""])
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()
