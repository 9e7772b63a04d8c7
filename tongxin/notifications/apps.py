from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class NotificationsConfig(AppConfig):
    name = "tongxin.notifications"
    label = "notifications"
    verbose_name = _("通知")

    def ready(self) -> None:
        from tongxin.incidents.registry import register_purge
        from tongxin.notifications import retention

        register_purge("notifications", retention.purge)
