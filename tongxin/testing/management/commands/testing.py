"""`tongxin testing …`: rounds from the command line.

    tongxin testing rounds [--json]
    tongxin testing plan ROUND [--json] [--user zhb]
    tongxin testing calculate 10000 12 [--rate 30] [--per-point 2500] [--samplers-per-point 6]
    tongxin testing coverage ROUND [--area NODE] [--json]
    tongxin testing recalls ROUND [--json]
    tongxin testing import-results FILE [--json]
    tongxin testing create-round --incident NAME --name NAME --starts "2022-03-06 07:00"
        --deadline "2022-03-06 19:00" --area NODE [--area NODE …] [--activate] [--json]
    tongxin testing import-points ROUND FILE [--dry-run] [--errors OUT.xlsx] [--json]

ROUND is a round's id or its exact name; NODE a place id or its full address. Coverage,
recalls and results come from the sampling app. The command acts as --user in the audit trail.
"""

import datetime as dt
import json
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from tongxin.accounts.cli import find_user
from tongxin.audit.context import Actor, acting_as
from tongxin.places.models import Place
from tongxin.testing import planner
from tongxin.testing.models import RoundStatus, TestRound
from tongxin.testing.services import plans, rounds
from tongxin.testing.services.rounds import RoundError


def _round(raw: str) -> TestRound:
    rounds = TestRound.objects.select_related("incident__policy_edition")
    found = rounds.filter(pk=int(raw)).first() if raw.isdigit() else None
    if found is None:
        matches = list(rounds.filter(name=raw.strip())[:2])
        if len(matches) > 1:
            raise CommandError(_("有多个同名轮次，请用编号：%(raw)s") % {"raw": raw})
        found = matches[0] if matches else None
    if found is None:
        raise CommandError(_("找不到核酸轮次：%(raw)s") % {"raw": raw})
    return found


def _place(raw: str) -> Place:
    found = (
        Place.objects.filter(pk=int(raw)).first()
        if raw.isdigit()
        else Place.objects.filter(address=raw.strip()).first()
    )
    if found is None:
        raise CommandError(_("找不到地点：%(raw)s") % {"raw": raw})
    return found


def _sampling(module: str, name: str) -> Any:
    """A function of the sampling app, imported when asked for (that app may be absent)."""
    import importlib

    try:
        return getattr(importlib.import_module(f"tongxin.sampling.services.{module}"), name)
    except (ImportError, AttributeError, RuntimeError):
        # RuntimeError: the module is there but its app is not installed yet.
        raise CommandError(_("采样模块尚未提供该功能（%(name)s）") % {"name": name}) from None


class Command(BaseCommand):
    help = _("全员核酸：轮次、错峰编排、采样力量测算、覆盖率、复核与检测结果导入")

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        rounds = sub.add_parser("rounds", help=_("列出核酸轮次"))
        rounds.add_argument("--json", action="store_true")

        plan = sub.add_parser("plan", help=_("为轮次编排分楼栋错峰时段"))
        plan.add_argument("round")
        plan.add_argument("--user", help=_("以该用户名义操作（审计）"))
        plan.add_argument("--json", action="store_true")

        calc = sub.add_parser("calculate", help=_("测算所需采样点和采样人员"))
        calc.add_argument("people", type=int)
        calc.add_argument("hours", type=float)
        calc.add_argument("--rate", type=float, default=30, help=_("每名采样人员每小时采样人数"))
        calc.add_argument("--per-point", type=int, default=2500, help=_("每个采样点服务人数"))
        calc.add_argument("--samplers-per-point", type=int, default=None)
        calc.add_argument("--json", action="store_true")

        coverage = sub.add_parser(
            "coverage", help=_("轮次覆盖率（应检、已采、已出结果、应检未检）")
        )
        coverage.add_argument("round")
        coverage.add_argument("--area", help=_("地点编号或完整地址"))
        coverage.add_argument("--json", action="store_true")

        recalls = sub.add_parser("recalls", help=_("列出轮次的混管复核"))
        recalls.add_argument("round")
        recalls.add_argument("--json", action="store_true")

        results = sub.add_parser("import-results", help=_("导入检测机构的检测结果"))
        results.add_argument("file")
        results.add_argument("--user", help=_("以该用户名义操作（审计）"))
        results.add_argument("--json", action="store_true")

        new_round = sub.add_parser("create-round", help=_("发起核酸轮次"))
        new_round.add_argument("--incident", required=True, help=_("响应事件名称"))
        new_round.add_argument("--name", required=True, help=_("轮次名称"))
        new_round.add_argument("--starts", required=True, help=_("开始时间，如 2022-03-06 07:00"))
        new_round.add_argument("--deadline", required=True, help=_("完成时限"))
        new_round.add_argument(
            "--area", action="append", required=True, help=_("检测范围：地点编号或完整地址")
        )
        new_round.add_argument("--activate", action="store_true", help=_("立即开始"))
        new_round.add_argument("--user", help=_("以该用户名义操作（审计）"))
        new_round.add_argument("--json", action="store_true")

        points = sub.add_parser("import-points", help=_("从表格导入轮次的采样点"))
        points.add_argument("round")
        points.add_argument("file")
        points.add_argument("--dry-run", action="store_true", help=_("只校验，不写入任何数据"))
        points.add_argument("--errors", metavar="OUT.xlsx", help=_("把问题行写入此文件"))
        points.add_argument("--user", help=_("以该用户名义操作（审计）"))
        points.add_argument("--json", action="store_true")

    def handle(self, *args: Any, **options: Any) -> None:
        action = options["action"]
        actor = Actor(user=find_user(options.get("user")), label="tongxin testing", channel="cli")
        with acting_as(actor):
            result = getattr(self, "_" + action.replace("-", "_"))(options)
        if options.get("json"):
            self.stdout.write(json.dumps(result, ensure_ascii=False, indent=2, default=str))

    def _say(self, options: dict[str, Any], text: str) -> None:
        if not options.get("json"):
            self.stdout.write(text)

    def _rounds(self, options: dict[str, Any]) -> list[dict[str, Any]]:
        found = []
        for r in TestRound.objects.select_related("incident").order_by("-starts_at"):
            found.append(
                {
                    "id": r.pk,
                    "name": r.name,
                    "incident": r.incident.name,
                    "status": r.status,
                    "starts_at": r.starts_at.isoformat(),
                    "deadline": r.deadline.isoformat(),
                }
            )
            self._say(
                options, f"{r.pk}\t{r.name}\t{r.get_status_display()}\t{r.starts_at:%m-%d %H:%M}"
            )
        return found

    def _plan(self, options: dict[str, Any]) -> dict[str, Any]:
        round = _round(options["round"])
        try:
            made = plans.make_plan(round, by=find_user(options.get("user")))
        except RoundError as exc:
            raise CommandError(str(exc)) from None
        summary = dict(made.plan.summary)
        summary["feasible"] = made.plan.feasible
        summary["seconds"] = {k: round_(v) for k, v in made.seconds.items()}
        if made.plan.feasible:
            self._say(
                options,
                _("已编排 %(units)d 个楼栋/单元，%(people)d 人，能在完成时限前完成")
                % {"units": summary["units"], "people": summary["people"]},
            )
        else:
            self._say(
                options,
                _("无法在时限前完成：还需增加 %(samplers)d 名采样人员，或延长 %(hours)d 小时")
                % {"samplers": summary["extra_samplers"], "hours": summary["extra_hours"]},
            )
        return summary

    def _calculate(self, options: dict[str, Any]) -> dict[str, Any]:
        try:
            result = planner.estimate(
                options["people"],
                options["hours"],
                per_sampler_hour=options["rate"],
                people_per_point=options["per_point"],
                samplers_per_point=options["samplers_per_point"],
            )
        except ValueError as exc:
            raise CommandError(str(exc)) from None
        self._say(
            options,
            _(
                "%(people)d 人、%(hours)s 小时：需 %(samplers)d 名采样人员，"
                "%(points)d 个采样点，每点 %(per)d 人"
            )
            % {
                "people": result.people,
                "hours": f"{result.hours:g}",
                "samplers": result.samplers,
                "points": result.points,
                "per": result.samplers_per_point,
            },
        )
        return {
            "people": result.people,
            "hours": result.hours,
            "per_sampler_hour": result.per_sampler_hour,
            "samplers": result.samplers,
            "points": result.points,
            "samplers_per_point": result.samplers_per_point,
            "capacity": result.capacity,
        }

    def _coverage(self, options: dict[str, Any]) -> dict[str, Any]:
        round = _round(options["round"])
        area = _place(options["area"]) if options.get("area") else None
        report = _sampling("coverage", "coverage_report")(round, area=area)
        if not options.get("json"):
            for key, value in report.items():
                if not isinstance(value, list | dict):
                    self.stdout.write(f"{key}\t{value}")
        return dict(report)

    def _recalls(self, options: dict[str, Any]) -> list[dict[str, Any]]:
        round = _round(options["round"])
        report = list(_sampling("recalls", "recalls_report")(round))
        for item in report:
            self._say(
                options, "\t".join(str(item.get(k, "")) for k in ("tube", "status", "raised_at"))
            )
        return report

    def _import_results(self, options: dict[str, Any]) -> dict[str, Any]:
        importer = _sampling("results", "import_results_file")
        try:
            summary = importer(options["file"], user=None)
        except (OSError, ValueError) as exc:
            raise CommandError(str(exc)) from None
        if not options.get("json"):
            for key, value in summary.items():
                if not isinstance(value, list | dict):
                    self.stdout.write(f"{key}\t{value}")
        return dict(summary)

    def _create_round(self, options: dict[str, Any]) -> dict[str, Any]:
        from tongxin.imports.services.export import AreaNotFound, find_area
        from tongxin.incidents.models import Incident

        incident = Incident.objects.filter(name=options["incident"].strip()).first()
        if incident is None:
            raise CommandError(_("找不到响应事件：%(raw)s") % {"raw": options["incident"]})
        try:
            starts = _when(options["starts"])
            deadline = _when(options["deadline"])
            areas = [find_area(a) for a in options["area"]]
        except (ValueError, AreaNotFound) as exc:
            raise CommandError(str(exc)) from None
        existing = TestRound.objects.filter(incident=incident, name=options["name"].strip())
        found = existing.first()
        if found is not None:
            self._say(options, _("轮次“%(name)s”已存在，未做修改") % {"name": found.name})
            return {"id": found.pk, "name": found.name, "created": False}
        try:
            made = rounds.create_round(
                incident,
                options["name"],
                starts,
                deadline,
                areas,
                by=find_user(options.get("user")),
            )
            if options["activate"]:
                rounds.set_status(made, RoundStatus.ACTIVE)
        except RoundError as exc:
            raise CommandError(str(exc)) from None
        self._say(options, _("已发起轮次“%(name)s”（编号 %(id)d）") % {
            "name": made.name, "id": made.pk})  # fmt: skip
        return {"id": made.pk, "name": made.name, "created": True}

    def _import_points(self, options: dict[str, Any]) -> dict[str, Any]:
        from pathlib import Path

        from tongxin.imports.readers import ImportFileError
        from tongxin.imports.services import write_problems_xlsx
        from tongxin.testing.services.points_import import POINT_REASONS, import_points

        test_round = _round(options["round"])
        try:
            result = import_points(
                test_round, Path(options["file"]), user=find_user(options.get("user")),
                dry_run=options["dry_run"],
            )  # fmt: skip
        except ImportFileError as exc:
            raise CommandError(str(exc)) from None
        if options["errors"]:
            write_problems_xlsx(result, Path(options["errors"]))
        summary = result.as_dict()
        if not options.get("json"):
            self.stdout.write(
                _("共 %(rows)d 行：新增 %(created)d，更新 %(updated)d，未变 %(unchanged)d，"
                  "重复 %(duplicate)d，拒绝 %(rejected)d，提示 %(warnings)d") % summary
            )  # fmt: skip
            for problem in result.problems:
                label = POINT_REASONS.get(problem.code, problem.code)
                self.stdout.write(f"  {problem.row}: {label} {problem.message}")
        return summary


def _when(text: str) -> dt.datetime:
    from django.utils import timezone

    value = dt.datetime.fromisoformat(text.strip().replace("/", "-"))
    return value if timezone.is_aware(value) else timezone.make_aware(value)


def round_(value: float) -> float:
    return round(value, 3)
