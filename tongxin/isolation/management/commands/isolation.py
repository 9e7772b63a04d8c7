"""`tongxin isolation …`: sites, the transfer list, allocation, batches and releases.

    tongxin isolation sites --json                      # per site: rooms, occupied, free, …
    tongxin isolation transfer-list [--incident ID] --json
    tongxin isolation allocate BATCH --json             # a room per person, or why not
    tongxin isolation batch BATCH --json                # head counts and whether they reconcile
    tongxin isolation release-due --date 2022-03-18 --json
    tongxin isolation sweep                             # escalate the long unreachable, end
                                                        # finished home watches (cron)
    tongxin isolation feed [--incident ID]              # tracing's due contacts onto the
                                                        # transfer list or the home list

BATCH is a batch's id or code. Commands act as --user (or the command line) in the audit trail.
"""

import json
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone
from django.utils.dateparse import parse_date
from django.utils.translation import gettext as _

from tongxin.accounts.cli import find_user
from tongxin.audit.context import Actor, acting_as
from tongxin.incidents.cli import find_incident
from tongxin.incidents.models import Incident
from tongxin.isolation.models import Batch
from tongxin.isolation.services import IsolationError
from tongxin.isolation.services.allocation import allocate_batch
from tongxin.isolation.services.batches import batch_summary, escalate_unreachable
from tongxin.isolation.services.sites import board
from tongxin.isolation.services.stays import release_due
from tongxin.isolation.services.transfer_list import entry_dict, households, transfer_list


def _incident(raw: str | None) -> Incident | None:
    if not raw:
        return Incident.objects.open().order_by("-started_at").first()
    return find_incident(raw)


def _batch(raw: str) -> Batch:
    qs = Batch.objects.select_related("site", "incident__policy_edition")
    found = qs.filter(code=raw).first() or (
        qs.filter(pk=int(raw)).first() if raw.isdigit() else None
    )
    if found is None:
        raise CommandError(_("找不到转运批次：%(raw)s") % {"raw": raw})
    return found


class Command(BaseCommand):
    help = "集中隔离与转运：隔离点、待转运名单、分配房间、转运批次、解除隔离"

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        sites = sub.add_parser("sites", help=_("各隔离点房间、入住、空闲、待消杀"))
        listing = sub.add_parser("transfer-list", help=_("待转运名单（按户分组，证件号脱敏）"))
        listing.add_argument("--incident", help=_("响应事件，默认进行中的事件"))
        alloc = sub.add_parser("allocate", help=_("为批次分配房间"))
        alloc.add_argument("batch")
        batch = sub.add_parser("batch", help=_("批次人数核对"))
        batch.add_argument("batch")
        due = sub.add_parser("release-due", help=_("某日应解除隔离人员及末次检测"))
        due.add_argument("--date", help=_("日期，默认今天"))
        due.add_argument("--incident")
        sweep = sub.add_parser("sweep", help=_("联系不上的人员超时上报"))
        feed = sub.add_parser("feed", help=_("把流调确认的应集中隔离人员加入待转运名单"))
        feed.add_argument("--incident")
        for p in (sites, listing, alloc, batch, due, sweep, feed):
            p.add_argument("--json", action="store_true", help=_("以 JSON 输出"))
            p.add_argument("--user", help=_("以该用户身份操作（审计）"))

    def handle(self, *args: Any, **options: Any) -> None:
        user = find_user(options.get("user"))
        actor = Actor(user=user, label=str(user) if user else "tongxin isolation", channel="cli")
        with acting_as(actor):
            try:
                data = getattr(self, "do_" + options["action"].replace("-", "_"))(user, options)
            except IsolationError as exc:
                raise CommandError(str(exc)) from exc
        if options["json"]:
            self.stdout.write(json.dumps(data, ensure_ascii=False, indent=2, default=str))
        else:
            self.stdout.write(self.text(options["action"], data))

    def do_sites(self, user: Any, options: dict[str, Any]) -> Any:
        return board(user).as_dict()

    def do_transfer_list(self, user: Any, options: dict[str, Any]) -> Any:
        incident = _incident(options.get("incident"))
        entries = transfer_list(user, incident)
        rows: list[dict[str, Any]] = []
        for number, group in enumerate(households(entries), start=1):
            rows.extend(entry_dict(e, group=f"H{number:03d}") for e in group)
        return {"incident": incident.name if incident else None, "entries": rows}

    def do_allocate(self, user: Any, options: dict[str, Any]) -> Any:
        batch = _batch(options["batch"])
        placements = allocate_batch(user, batch)
        return {"batch": batch.code, "placements": [p.as_dict() for p in placements]}

    def do_batch(self, user: Any, options: dict[str, Any]) -> Any:
        return batch_summary(_batch(options["batch"]))

    def do_release_due(self, user: Any, options: dict[str, Any]) -> Any:
        raw = options.get("date")
        day = parse_date(raw) if raw else timezone.localdate()
        if day is None:
            raise CommandError(_("无法识别的日期：%(raw)s（格式如 2022-03-18）") % {"raw": raw})
        incident = _incident(options.get("incident")) if options.get("incident") else None
        return {"date": day.isoformat(), "people": release_due(day, user, incident)}

    def do_feed(self, user: Any, options: dict[str, Any]) -> Any:
        from tongxin.isolation.services.tracing_feed import feed_from_tracing

        incident = _incident(options.get("incident"))
        if incident is None:
            raise CommandError(_("没有进行中的响应事件"))
        return feed_from_tracing(incident)

    def do_sweep(self, user: Any, options: dict[str, Any]) -> Any:
        from tongxin.isolation.services.home import end_finished

        return {
            "escalated": escalate_unreachable(),
            "home_ended": end_finished(timezone.localdate()),
        }

    def text(self, action: str, data: Any) -> str:
        if action == "sites":
            lines = [
                f"{s['name']}: {s['rooms']} 间, 入住 {s['occupied']}, 空闲 {s['free']}, "
                f"待消杀 {s['to_be_cleaned']}"
                for s in data["sites"]
            ]
            lines.append(
                f"储备 {data['totals']['rooms']} / {data['reserve_required']} 间"
                f"（每万人 {data['reserve_per_10k']} 间）"
            )
            return "\n".join(lines)
        if action == "transfer-list":
            return "\n".join(
                f"{e['household_group']} {e['name']} {e['document_masked']} {e['level_label']} "
                f"{'、'.join(e['needs']['labels'])}"
                for e in data["entries"]
            )
        if action == "allocate":
            return "\n".join(
                f"{p['name']}: {p['room'] or '—'} {p['reason'] or ''}" for p in data["placements"]
            )
        if action == "release-due":
            return "\n".join(
                f"{p['name']} {p['site']} {p['room'] or ''} {p['ends_on']} "
                f"{(p['last_test'] or {}).get('result', '—')} "
                f"{'可解除' if p['may_release'] else p['blocked_because']}"
                for p in data["people"]
            )
        return json.dumps(data, ensure_ascii=False, default=str)
