from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class WebConfig(AppConfig):
    name = "tongxin.web"
    label = "web"
    verbose_name = _("网页")

    def ready(self) -> None:
        from tongxin.web import panels

        panels.register()
