"""`tongxin zones …`: designate, change and lift zones, record evidence, and ask what held when.

    tongxin zones status --place "同心县 城关街道 东城社区 城东嘉苑 3幢" --at 2022-03-07T03:00
    tongxin zones designate --place 123 --kind sealed --reason "楼内发现阳性" --user zhb
    tongxin zones change --designation 7 --kind controlled --reason "…" --user zhb
    tongxin zones lift --designation 7 --reason "…" --user zhb
    tongxin zones proposals
    tongxin zones positive --place 456 --found-at 2022-03-07T01:10 --source "混管复核"
    tongxin zones round --place 123 --completed-at 2022-03-08T06:00 --negative

Times without a zone are the county's local time. The command acts as --user in the audit trail.
"""

import datetime as dt
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from tongxin.accounts.cli import find_user
from tongxin.accounts.models import User
from tongxin.audit.context import Actor, acting_as
from tongxin.incidents.cli import find_incident, the_open_incident
from tongxin.incidents.models import Incident
from tongxin.places.models import Place
from tongxin.zones import services
from tongxin.zones.models import ZoneDesignation


def _time(raw: str | None) -> dt.datetime | None:
    if not raw:
        return None
    parsed = parse_datetime(raw)
    if parsed is None:
        raise CommandError(_("无法识别的时间：%(raw)s（格式如 2022-03-07T03:00）") % {"raw": raw})
    return timezone.make_aware(parsed) if timezone.is_naive(parsed) else parsed


def _place(raw: str) -> Place:
    found = (
        Place.objects.filter(pk=int(raw)).first()
        if raw.isdigit()
        else Place.objects.filter(address=raw.strip()).first()
    )
    if found is None:
        raise CommandError(_("找不到地点：%(raw)s") % {"raw": raw})
    return found


def _incident(raw: str | None) -> Incident:
    return find_incident(raw) if raw else the_open_incident()


def _designation(raw: int) -> ZoneDesignation:
    found = ZoneDesignation.objects.select_related("place", "incident__policy_edition").filter(
        pk=raw
    )
    if not found:
        raise CommandError(_("找不到区域划定：%(raw)s") % {"raw": raw})
    return found[0]


def _local(moment: dt.datetime | None) -> str:
    return timezone.localtime(moment).strftime("%Y-%m-%d %H:%M") if moment else "—"


class Command(BaseCommand):
    help = "三区管控：划定、调整、解除区域，登记阳性和区域核酸，查询某时刻的区域"

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)

        def add(name: str, help_text: str) -> Any:
            p = sub.add_parser(name, help=help_text)
            p.add_argument("--user", help=_("操作人（用户名），记入审计"))
            return p

        status = add("status", _("某地点在某时刻的区域"))
        status.add_argument("--place", required=True, help=_("地点编号或完整地址"))
        status.add_argument("--at", help=_("时间，默认现在"))
        status.add_argument("--incident")

        designate = add("designate", _("划定区域"))
        designate.add_argument("--place", required=True)
        designate.add_argument("--kind", required=True, help=_("现行方案中的区域代码"))
        designate.add_argument("--reason", required=True)
        designate.add_argument("--at")
        designate.add_argument("--incident")
        designate.add_argument("--decided-by", help=_("决定人（用户名），默认为操作人"))

        change = add("change", _("调整区域类型"))
        change.add_argument("--designation", type=int, required=True)
        change.add_argument("--kind", required=True)
        change.add_argument("--reason", required=True)
        change.add_argument("--at")
        change.add_argument("--decided-by")

        lift = add("lift", _("解除区域"))
        lift.add_argument("--designation", type=int, required=True)
        lift.add_argument("--reason", required=True)
        lift.add_argument("--at")
        lift.add_argument("--decided-by")

        proposals = add("proposals", _("列出符合解除/降级条件的区域"))
        proposals.add_argument("--incident")
        proposals.add_argument("--at")

        positive = add("positive", _("登记阳性发现"))
        positive.add_argument("--place", required=True)
        positive.add_argument("--found-at", required=True)
        positive.add_argument("--source", default="")
        positive.add_argument("--reference", default="")
        positive.add_argument("--incident")

        round_ = add("round", _("登记全域核酸轮次"))
        round_.add_argument("--place", required=True)
        round_.add_argument("--completed-at", required=True)
        result = round_.add_mutually_exclusive_group(required=True)
        result.add_argument("--negative", action="store_true", help=_("全部阴性"))
        result.add_argument("--not-negative", action="store_true", help=_("有阳性或异常"))
        round_.add_argument("--reference", default="")
        round_.add_argument("--incident")

    def handle(self, *args: Any, **options: Any) -> None:
        user = find_user(options.get("user"))
        actor = Actor(user=user, label=user.get_username() if user else "cli", channel="cli")
        with acting_as(actor):
            try:
                getattr(self, "do_" + options["action"])(options, user)
            except services.ZoneError as exc:
                raise CommandError(str(exc)) from exc

    def _decider(self, options: dict[str, Any], user: User | None) -> User | None:
        return find_user(options.get("decided_by")) or user

    def do_status(self, options: dict[str, Any], user: User | None) -> None:
        place = _place(options["place"])
        at = _time(options.get("at"))
        incident = _incident(options["incident"]) if options.get("incident") else None
        zone = services.effective_zone(place, at, incident=incident)
        when = _local(at or timezone.now())
        if zone is None:
            self.stdout.write(_("%(place)s 在 %(at)s 未划定区域") % {"place": place, "at": when})
            return
        self.stdout.write(
            _("%(place)s 在 %(at)s 为%(zone)s（划定于 %(where)s，自 %(since)s，编号 %(id)s）")
            % {
                "place": place,
                "at": when,
                "zone": zone.name,
                "where": zone.place,
                "since": _local(zone.since),
                "id": zone.designation.pk,
            }
        )

    def do_designate(self, options: dict[str, Any], user: User | None) -> None:
        designation = services.designate_zone(
            _place(options["place"]),
            options["kind"],
            _incident(options.get("incident")),
            at=_time(options.get("at")),
            reason=options["reason"],
            decided_by=self._decider(options, user),
        )
        self.stdout.write(
            _("已划定：编号 %(id)s %(zone)s")
            % {"id": designation.pk, "zone": services.kind_of(designation).name}
        )

    def do_change(self, options: dict[str, Any], user: User | None) -> None:
        new = services.change_zone(
            _designation(options["designation"]),
            options["kind"],
            _time(options.get("at")),
            options["reason"],
            self._decider(options, user),
        )
        self.stdout.write(
            _("已调整：新编号 %(id)s %(zone)s") % {"id": new.pk, "zone": services.kind_of(new).name}
        )

    def do_lift(self, options: dict[str, Any], user: User | None) -> None:
        lifted = services.lift_zone(
            _designation(options["designation"]),
            _time(options.get("at")),
            options["reason"],
            self._decider(options, user),
        )
        self.stdout.write(_("已解除：编号 %(id)s") % {"id": lifted.pk})

    def do_proposals(self, options: dict[str, Any], user: User | None) -> None:
        found = services.lifting_proposals(
            _incident(options.get("incident")), _time(options.get("at"))
        )
        if not found:
            self.stdout.write(_("没有符合解除/降级条件的区域"))
        for status in found:
            target = status.target.name if status.target else pgettext("操作", "解除")
            self.stdout.write(
                f"{status.designation.pk}\t{status.designation.place}\t"
                f"{status.kind.name} → {target}\t"
                + _("连续 %(n)s 天无新增")
                % {"n": status.days_clear}
            )

    def do_positive(self, options: dict[str, Any], user: User | None) -> None:
        found_at = _time(options["found_at"])
        assert found_at is not None
        finding = services.record_positive(
            _incident(options.get("incident")),
            _place(options["place"]),
            found_at,
            source=options["source"],
            reference=options["reference"],
        )
        self.stdout.write(_("已登记阳性：编号 %(id)s") % {"id": finding.pk})

    def do_round(self, options: dict[str, Any], user: User | None) -> None:
        completed_at = _time(options["completed_at"])
        assert completed_at is not None
        test_round = services.record_area_round(
            _incident(options.get("incident")),
            _place(options["place"]),
            completed_at,
            all_negative=bool(options["negative"]),
            reference=options["reference"],
        )
        self.stdout.write(_("已登记区域核酸：编号 %(id)s") % {"id": test_round.pk})
