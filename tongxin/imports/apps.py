from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ImportsConfig(AppConfig):
    name = "tongxin.imports"
    label = "imports"
    verbose_name = _("导入导出")

    def ready(self) -> None:
        from tongxin.imports import retention
        from tongxin.incidents.registry import register_purge
        from tongxin.notifications.kinds import Channel, Kind, register

        # Staff accounts created without a password get their one-time link by SMS.
        register(Kind("account_activation", _("账号激活"), frozenset({Channel.SMS})))
        register_purge("imports", retention.purge)
