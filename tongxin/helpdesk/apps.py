from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class HelpdeskConfig(AppConfig):
    name = "tongxin.helpdesk"
    label = "helpdesk"
    verbose_name = _("求助平台")

    def ready(self) -> None:
        from tongxin.helpdesk import (
            home,
            kinds,  # noqa: F401  (registers the notification kinds)
            retention,
        )
        from tongxin.incidents.registry import register_purge

        home.register()
        register_purge("helpdesk", retention.purge)
        from tongxin.helpdesk.figures import figures as _figures  # noqa: F401  (registers them)
