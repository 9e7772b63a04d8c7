"""`tongxin directives sweep`: escalate overdue directives (run it from cron, e.g. every 5
minutes). Each unit is reminded once, then reported to the command post once."""

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from tongxin.audit.context import Actor, acting_as
from tongxin.directives.services import sweep


class Command(BaseCommand):
    help = "Directives: `sweep` escalates overdue directives."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        sub.add_parser("sweep", help="remind unit leaders, then the command post, of overdue work")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["action"] == "sweep":
            with acting_as(Actor(label="directives sweep", channel="cli")):
                result = sweep()
            self.stdout.write(
                f"reminded {len(result.reminded)} unit(s), "
                f"escalated {len(result.escalated)} to the command post"
            )
