from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CareConfig(AppConfig):
    name = "tongxin.care"
    label = "care"
    verbose_name = _("重点人群与绿色通道")

    def ready(self) -> None:
        from tongxin.care import home
        from tongxin.notifications.kinds import Channel, Kind, register

        home.register()

        # A driver or escort is on the road: the inbox and a text message.
        register(Kind("care_run_assigned", _("绿色通道专车任务"), frozenset({Channel.SMS})))
        from tongxin.care import retention
        from tongxin.incidents.registry import register_purge, register_standing_purge

        register_purge("care", retention.purge)
        register_standing_purge("care", retention.standing)
