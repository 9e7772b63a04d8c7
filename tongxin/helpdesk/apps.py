from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class HelpdeskConfig(AppConfig):
    name = "tongxin.helpdesk"
    label = "helpdesk"
    verbose_name = _("求助平台")

    def ready(self) -> None:
        from tongxin.helpdesk import kinds  # noqa: F401  (registers the notification kinds)
        from tongxin.helpdesk.figures import figures as _figures  # noqa: F401  (registers them)
