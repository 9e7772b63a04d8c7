"""`tongxin setup county --name 开化县 --code 330824`: say which county this install serves.

Creates the root of the place tree. Running it again with the same values changes nothing;
other values are refused (the county cannot be renamed or replaced from here)."""

import json
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from tongxin.audit.context import acting_as
from tongxin.imports.management.commands._cli import command_actor
from tongxin.places.divisions import InvalidDivisionCode
from tongxin.places.services import PlaceError, setup_county


class Command(BaseCommand):
    help = "首次部署：设置本系统服务的县（市、区）"

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="what", required=True)
        county = sub.add_parser("county", help=_("建立本县（地点树的根）"))
        county.add_argument("--name", required=True, help=_("县（市、区）名称，如 开化县"))
        county.add_argument(
            "--code", required=True, help=_("GB/T 2260 行政区划代码（6位），如 330824")
        )
        county.add_argument("--json", action="store_true", help=_("只输出一个JSON对象"))

    def handle(self, *args: Any, **options: Any) -> None:
        _user, actor = command_actor(None)
        with acting_as(actor):
            try:
                root, created = setup_county(options["name"], options["code"])
            except (PlaceError, InvalidDivisionCode) as exc:
                raise CommandError(str(exc)) from exc
        if options["json"]:
            payload = {"id": root.pk, "name": root.name, "code": root.code, "created": created}
            self.stdout.write(json.dumps(payload, ensure_ascii=False))
            return
        if created:
            self.stdout.write(
                _("已建立 %(name)s（%(code)s）。下一步：tongxin import places 地点.xlsx")
                % {"name": root.name, "code": root.code}
            )
        else:
            self.stdout.write(
                _("%(name)s（%(code)s）已经设置，未做任何修改")
                % {"name": root.name, "code": root.code}
            )
