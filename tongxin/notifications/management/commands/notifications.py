"""`tongxin notifications retry`: send the deliveries that are due (run it from cron, e.g.
every minute). Safe to run while workers are busy: each delivery is claimed before it is sent.
"""

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from tongxin.audit.context import Actor, acting_as
from tongxin.notifications.services import retry_due


class Command(BaseCommand):
    help = "Notification channels: `retry` sends SMS and robot messages that are due."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        retry = sub.add_parser("retry", help="attempt every delivery that is due now")
        retry.add_argument("--limit", type=int, default=1000)

    def handle(self, *args: Any, **options: Any) -> None:
        if options["action"] == "retry":
            with acting_as(Actor(label="notifications retry", channel="cli")):
                result = retry_due(limit=options["limit"])
            self.stdout.write(
                f"attempted {result.attempted}: delivered {result.delivered}, "
                f"failed {result.failed}, waiting to retry {result.pending}"
            )
