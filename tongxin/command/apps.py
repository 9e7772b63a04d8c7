from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CommandConfig(AppConfig):
    name = "tongxin.command"
    label = "command"
    verbose_name = _("指挥部")

    def ready(self) -> None:
        from tongxin.command.services import timeline
        from tongxin.notifications.kinds import Channel, Kind, register

        register(Kind("daily_report_issued", _("疫情防控工作日报"), frozenset({Channel.ROBOT})))
        timeline.connect()
