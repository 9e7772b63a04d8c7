"""The daily report (疫情防控工作日报): generated from the registry's figures at the cut-off,
frozen, reconciled with the previous report, edited, reviewed and issued.

- Cut-off: 24时 of the report's day, or another hour set per incident (ReportSettings).
- The snapshot is taken once, when the draft is generated after the cut-off; nothing later
  changes it. The documents (.docx, .xlsx) are rendered from the snapshot and the text
  sections only, so rendering again gives the same bytes.
- Reconciliation: every stock figure of the previous report, plus what came in and went out
  in this period, must give this report's figure. Counting this period's flows from today's
  data, that holds exactly when the previous report's figure still stands; where it does not
  (a result imported late, a request entered late, a correction) the row is flagged with its
  cause, for the reviewer to see.
- Workflow: draft → edited → reviewed (by someone other than the last editor) → issued; an
  issued report is never changed again and its summary goes to the units' group robots.
"""

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from tongxin.accounts.permissions import Perm, has_perm
from tongxin.command.models import DailyReport, ReportSettings, ReportStatus
from tongxin.command.services import figures as fig
from tongxin.command.services import timeline
from tongxin.incidents.models import Incident

TEXT_SECTIONS = (
    ("key_work", gettext_lazy("当日重点工作")),
    ("next_steps", gettext_lazy("下一步工作")),
)


class ReportError(ValueError):
    pass


class NotPermitted(ReportError):
    pass


def settings_for(incident: Incident) -> ReportSettings:
    found, _created = ReportSettings.objects.get_or_create(incident=incident)
    return found


def cutoff_for(incident: Incident, day: dt.date) -> dt.datetime:
    found = settings_for(incident)
    hour, minute = found.cutoff_hour, found.cutoff_minute
    midnight = hour == 0 and minute == 0
    moment = dt.datetime.combine(
        day + dt.timedelta(days=1 if midnight else 0), dt.time(hour, minute)
    )
    return timezone.make_aware(moment)


def cutoff_label(report: DailyReport) -> str:
    """截至3月7日24时 (or 20时)."""
    local = timezone.localtime(report.cutoff_at)
    if local.hour == 0 and local.minute == 0:
        day = report.report_date
        return _("截至%(m)d月%(d)d日24时") % {"m": day.month, "d": day.day}
    if local.minute:
        return _("截至%(m)d月%(d)d日%(h)d时%(min)d分") % {
            "m": local.month,
            "d": local.day,
            "h": local.hour,
            "min": local.minute,
        }
    return _("截至%(m)d月%(d)d日%(h)d时") % {"m": local.month, "d": local.day, "h": local.hour}


def previous_of(report: DailyReport) -> DailyReport | None:
    return (
        DailyReport.objects.filter(incident=report.incident, report_date__lt=report.report_date)
        .order_by("-report_date")
        .first()
    )


# --- the snapshot -----------------------------------------------------------------------------


def _snapshot(
    incident: Incident, number: int, day: dt.date, start: dt.datetime, cutoff: dt.datetime
) -> dict[str, Any]:
    end = fig.raw_figures(incident, None, cutoff)
    begin = fig.raw_figures(incident, None, start)
    sections = [fig.section(m, end[m], begin.get(m)) for m in end]
    by_township = []
    for township in fig.townships():
        data = fig.raw_figures(incident, [township], cutoff)
        by_township.append(
            {
                "township": township.name,
                "figures": {m: fig.scalars(values) for m, values in data.items()},
            }
        )
    entries = timeline.entries_between(incident, start, cutoff)
    return {
        "incident": incident.name,
        "number": number,
        "date": day.isoformat(),
        "period_start": timezone.localtime(start).isoformat(),
        "cutoff": timezone.localtime(cutoff).isoformat(),
        "sections": sections,
        "townships": by_township,
        "timeline": [
            {
                "at": timezone.localtime(e.at).strftime("%m-%d %H:%M"),
                "kind": e.kind,
                "text": e.text,
            }
            for e in entries
        ],
    }


def figure_values(snapshot: dict[str, Any]) -> dict[str, Any]:
    return {
        f"{s['module']}.{f['key']}": f["value"]
        for s in snapshot.get("sections", [])
        for f in s["figures"]
    }


# --- reconciliation ---------------------------------------------------------------------------

LATE_CAUSES = {
    "sampling.result_known": _("检测结果迟报导入（上期截止前采样的结果在其后才导入）"),
    "sampling.sampled": _("采样数据迟报上传（离线采样终端在上期截止后才上传）"),
    "sampling.positives": _("阳性结果迟报导入"),
    "sampling.pending_results": _("检测结果迟报导入"),
    "helpdesk.received": _("求助工单补录（受理时间在上期截止前，录入在其后）"),
    "helpdesk.closed": _("办结时间补录或更正"),
    "helpdesk.open": _("工单补录或办结时间更正"),
}


def _cause(key: str) -> str:
    return str(LATE_CAUSES.get(key, _("上期截止前的数据在上期日报生成后发生更正或补录")))


# Stocks and the flows that move them: today = yesterday + in − out.
STOCK_FLOWS = {
    "helpdesk.open": (("helpdesk.received",), ("helpdesk.closed",)),
    "sampling.untested": (("sampling.should_test",), ("sampling.sampled",)),
}


def reconcile(previous: DailyReport | None, snapshot: dict[str, Any]) -> list[dict[str, Any]]:
    """For each figure of the previous report: previous + this period's in − out should equal
    this report's figure. The flows are counted from the data as it is now (the figure at this
    cut-off minus the figure at the previous one), so a mismatch means the previous report's
    figure no longer stands: something before its cut-off was entered or corrected later. The
    row says by how much and why."""
    if previous is None:
        return []
    before = figure_values(previous.snapshot)
    changes = {
        f"{s['module']}.{f['key']}": f["change"] or 0
        for s in snapshot["sections"]
        for f in s["figures"]
    }
    rows = []
    for section in snapshot["sections"]:
        for figure in section["figures"]:
            key = f"{section['module']}.{figure['key']}"
            if key not in before:
                continue
            ins, outs = STOCK_FLOWS.get(key, ((key,), ()))
            flow_in = sum(changes.get(k, 0) for k in ins)
            flow_out = sum(changes.get(k, 0) for k in outs)
            expected = before[key] + flow_in - flow_out
            difference = figure["value"] - expected
            rows.append(
                {
                    "key": key,
                    "section": section["title"],
                    "label": figure["label"],
                    "previous": before[key],
                    "in": flow_in,
                    "out": flow_out,
                    "expected": expected,
                    "value": figure["value"],
                    "difference": difference,
                    "ok": difference == 0,
                    "cause": "" if difference == 0 else _cause(key),
                }
            )
    return rows


# --- generating -------------------------------------------------------------------------------


def generate(
    incident: Incident, day: dt.date, *, user: Any = None, now: dt.datetime | None = None
) -> DailyReport:
    """The report of `day`: the existing one (never changed once made), or a new draft whose
    figures are frozen now, at or after the cut-off."""
    now = now or timezone.now()
    existing = DailyReport.objects.filter(incident=incident, report_date=day).first()
    if existing is not None:
        return existing
    if user is not None and not has_perm(user, Perm.EDIT_REPORTS):
        raise NotPermitted(_("无权生成日报"))
    cutoff = cutoff_for(incident, day)
    if cutoff > now:
        raise ReportError(_("尚未到截止时间，不能生成日报"))
    if cutoff <= incident.started_at:
        raise ReportError(_("截止时间早于事件开始"))
    timeline.record_from_modules(incident, now)
    with transaction.atomic():
        Incident.objects.select_for_update().filter(pk=incident.pk).first()
        existing = DailyReport.objects.filter(incident=incident, report_date=day).first()
        if existing is not None:
            return existing
        previous = (
            DailyReport.objects.filter(incident=incident, report_date__lt=day)
            .order_by("-report_date")
            .first()
        )
        start = (
            previous.cutoff_at
            if previous is not None
            else max(incident.started_at, cutoff - dt.timedelta(days=1))
        )
        number = (
            DailyReport.objects.filter(incident=incident).aggregate(n=Max("number"))["n"] or 0
        ) + 1
        snapshot = _snapshot(incident, number, day, start, cutoff)
        rows = reconcile(previous, snapshot)
        return DailyReport.objects.create(
            incident=incident,
            number=number,
            report_date=day,
            cutoff_at=cutoff,
            period_start=start,
            snapshot=snapshot,
            frozen_at=now,
            reconciliation=rows,
            texts={key: "" for key, _label in TEXT_SECTIONS},
            created_by=user,
        )


# --- workflow ---------------------------------------------------------------------------------


def _require(user: Any, perm: Perm, message: str) -> None:
    if not has_perm(user, perm):
        raise NotPermitted(message)


def _locked(report: DailyReport) -> DailyReport:
    fresh = DailyReport.objects.select_for_update().get(pk=report.pk)
    if fresh.is_issued:
        raise ReportError(_("日报已签发，不能再修改"))
    return fresh


def edit(report: DailyReport, user: Any, texts: dict[str, str]) -> DailyReport:
    _require(user, Perm.EDIT_REPORTS, _("无权编辑日报"))
    with transaction.atomic():
        fresh = _locked(report)
        fresh.texts = {
            key: (texts.get(key, fresh.texts.get(key, "")) or "").strip()
            for key, _label in TEXT_SECTIONS
        }
        fresh.status = ReportStatus.EDITED
        fresh.edited_by, fresh.edited_at = user, timezone.now()
        fresh.reviewed_by, fresh.reviewed_at = None, None
        fresh.save()
    return fresh


def review(report: DailyReport, user: Any) -> DailyReport:
    _require(user, Perm.REVIEW_REPORTS, _("无权审核日报"))
    with transaction.atomic():
        fresh = _locked(report)
        if fresh.status != ReportStatus.EDITED:
            raise ReportError(_("日报须先填写文字部分，才能审核"))
        if fresh.edited_by_id == getattr(user, "pk", None):
            raise ReportError(_("审核人不能是最后编辑人"))
        fresh.status = ReportStatus.REVIEWED
        fresh.reviewed_by, fresh.reviewed_at = user, timezone.now()
        fresh.save()
    return fresh


def issue(report: DailyReport, user: Any, *, send: bool = True) -> DailyReport:
    _require(user, Perm.ISSUE_REPORTS, _("无权签发日报"))
    with transaction.atomic():
        fresh = _locked(report)
        if fresh.status != ReportStatus.REVIEWED:
            raise ReportError(_("日报须审核后才能签发"))
        fresh.status = ReportStatus.ISSUED
        fresh.issued_by, fresh.issued_at = user, timezone.now()
        fresh.save()
        if send:
            send_summary(fresh)
    return fresh


@dataclass
class Headline:
    label: str
    value: Any
    change: Any


def headlines(report: DailyReport, limit: int = 8) -> list[Headline]:
    wanted = {f"{m}.{k}" for m, k in fig.HEADLINE}
    found = []
    for section in report.snapshot.get("sections", []):
        for f in section["figures"]:
            if f"{section['module']}.{f['key']}" in wanted:
                found.append(Headline(f"{section['title']}{f['label']}", f["value"], f["change"]))
    return found[:limit]


def send_summary(report: DailyReport) -> None:
    """A short summary to the command post's inbox and every unit's group robot."""
    from tongxin.accounts.models import Role, User
    from tongxin.notifications.services import notify
    from tongxin.units.models import Unit

    units = Unit.objects.filter(group_robots__is_active=True).distinct()
    users = User.objects.filter(role=Role.COMMAND_POST, is_active=True)
    notify(
        "daily_report_issued",
        users=users,
        units=units,
        incident=report.incident,
        link=f"/command/reports/{report.number}/",
        context={
            "number": report.number,
            "cutoff": cutoff_label(report),
            "headlines": headlines(report),
            "mismatches": sum(1 for r in report.reconciliation if not r["ok"]),
        },
    )


# --- one shape for JSON and spreadsheet ----------------------------------------------------


def rows(report: DailyReport) -> dict[str, list[dict[str, Any]]]:
    """The report as tables: the .xlsx has one sheet per key with these columns, and
    `tongxin report daily --json` prints exactly this."""
    snap = report.snapshot
    # Township columns in the sections' order (a list), whatever order the database keeps.
    columns = {
        f"{s['module']}.{f['key']}": (s["module"], f["key"])
        for s in snap["sections"]
        for f in s["figures"]
    }
    return {
        "report": [
            {
                "incident": snap["incident"],
                "number": report.number,
                "date": snap["date"],
                "period_start": snap["period_start"],
                "cutoff": snap["cutoff"],
                "status": report.status,
            }
        ],
        "figures": [
            {
                "section": s["title"],
                "key": f"{s['module']}.{f['key']}",
                "label": f["label"],
                "value": f["value"],
                "change": f["change"],
            }
            for s in snap["sections"]
            for f in s["figures"]
        ],
        "townships": [
            {
                "township": t["township"],
                **{
                    key: t["figures"].get(module, {}).get(name)
                    for key, (module, name) in columns.items()
                },
            }
            for t in snap["townships"]
        ],
        "timeline": [
            {"at": e["at"], "kind": e["kind"], "text": e["text"]} for e in snap["timeline"]
        ],
        "texts": [
            {"key": key, "title": str(label), "text": report.texts.get(key, "")}
            for key, label in TEXT_SECTIONS
        ],
        "reconciliation": [
            {
                k: r[k]
                for k in ("key", "label", "previous", "change", "expected", "value", "ok", "cause")
            }
            for r in report.reconciliation
        ],
    }
