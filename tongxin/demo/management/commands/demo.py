"""`tongxin demo`: load the fictional demo county (idempotent), print the logins, and serve it."""

import time
import unicodedata
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils.translation import gettext as _

from tongxin.core.management.commands.serve import serve
from tongxin.demo.services import DemoError, DemoResult, build_demo, estate_figures


def _width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)


def _pad(text: str, width: int) -> str:
    return text + " " * (width - _width(text))


def table(header: list[str], rows: list[list[str]]) -> str:
    """A plain-text table that lines up with Chinese (double-width) characters."""
    widths = [max(_width(r[i]) for r in [header, *rows]) for i in range(len(header))]
    lines = ["  ".join(_pad(c, w) for c, w in zip(header, widths, strict=True)).rstrip()]
    lines.append("  ".join("-" * w for w in widths))
    lines += ["  ".join(_pad(c, w) for c, w in zip(r, widths, strict=True)).rstrip() for r in rows]
    return "\n".join(lines)


class Command(BaseCommand):
    help = (
        "加载演示县（同心县，虚构）：地点、包干单位、工作人员、居民和一个响应事件，"
        "打印各角色的演示账号，然后启动服务（同 tongxin serve）。重复运行不会重复创建。"
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--no-serve", action="store_true", help=_("只加载演示数据，不启动服务"))
        parser.add_argument(
            "--force",
            action="store_true",
            help=_("数据库中已有其他单位或用户时仍然加载（已有其他县时仍会拒绝）"),
        )
        parser.add_argument(
            "--scale",
            type=float,
            default=1.0,
            help=_("居民数量比例（0–1，默认 1）；地点、单位和账号不变，测试用"),
        )
        parser.add_argument("--host", default="127.0.0.1", help=_("监听地址（默认 127.0.0.1）"))
        parser.add_argument("--port", type=int, default=8000, help=_("端口（默认 8000）"))

    def _progress(self) -> Any:
        shown = {"step": -1}

        def progress(done: int, total: int) -> None:
            step = done * 5 // total if total else 5
            if step > shown["step"]:
                shown["step"] = step
                self.stdout.write(
                    _("  导入居民 %(done)d / %(total)d") % {"done": done, "total": total}
                )

        return progress

    def handle(self, *args: Any, **options: Any) -> None:
        executor = MigrationExecutor(connection)
        if executor.migration_plan(executor.loader.graph.leaf_nodes()):
            raise CommandError(_("数据库还没有迁移：请先运行 tongxin migrate"))

        started = time.monotonic()
        self.stdout.write(_("正在加载演示县……"))
        try:
            result = build_demo(
                scale=options["scale"],
                force=options["force"],
                report=self.stdout.write,
                import_progress=self._progress(),
            )
        except DemoError as exc:
            raise CommandError(str(exc)) from exc
        self._summary(result, time.monotonic() - started)

        if not options["no_serve"]:
            host, port = options["host"], options["port"]
            # The demo's logins work without an authenticator unless TONGXIN_OTP_REQUIRED=1.
            if not settings.TONGXIN_OTP_REQUIRED:
                self.stdout.write(
                    _(
                        "演示环境未要求动态验证码（双因素认证）；"
                        "以 TONGXIN_OTP_REQUIRED=1 启动可体验绑定验证器。"
                    )
                )
            self.stdout.write(
                _("正在启动服务：http://%(host)s:%(port)s/ （按 Ctrl-C 停止）")
                % {"host": host, "port": port}
            )
            code = serve(host, port, stdout=self.stdout)
            if code:
                raise CommandError(_("服务异常退出（代码 %(code)s）") % {"code": code})

    def _summary(self, result: DemoResult, seconds: float) -> None:
        out = self.stdout
        if not result.created_anything:
            out.write(_("演示数据已存在，没有任何改动。"))
        elif any(result.created.values()):
            labels = {
                "places": _("地点"), "units": _("包干单位"), "assignments": _("包干分配"),
                "users": _("工作人员"), "grid_roles": _("网格角色"),
                "building_assignments": _("包楼分配"), "incidents": _("响应事件"),
            }  # fmt: skip
            made = "，".join(f"{labels.get(k, k)} +{v}" for k, v in result.created.items() if v)
            out.write(_("新建：%(made)s") % {"made": made})
        r = result.residents
        if r is not None:
            counts = {
                "rows": r.rows, "created": r.created, "updated": r.updated,
                "unchanged": r.unchanged, "rejected": r.rejected, "warnings": r.warnings,
            }  # fmt: skip
            out.write(
                _(
                    "居民：%(rows)d 行，新增 %(created)d，更新 %(updated)d，未变 %(unchanged)d，"
                    "拒绝 %(rejected)d，警告 %(warnings)d"
                )
                % counts
            )
        for fig in estate_figures():
            out.write(
                _(
                    "%(estate)s（%(unit)s包干）：%(buildings)d 幢，%(stairwells)d 个单元，"
                    "%(households)d 户，登记 %(registered)d 人，实际居住 %(living)d 人"
                )
                % fig
            )
        out.write(_("用时 %(s).1f 秒") % {"s": seconds})
        out.write("")
        out.write(_("演示账号（所有账号密码相同）："))
        out.write(
            table(
                [_("用户名"), _("角色"), _("单位"), _("密码")],
                [[lg.username, lg.role, lg.unit, lg.password] for lg in result.logins],
            )
        )
        out.write("")
