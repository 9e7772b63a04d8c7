from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class WorkforceConfig(AppConfig):
    name = "tongxin.workforce"
    label = "workforce"
    verbose_name = _("人员与排班")

    def ready(self) -> None:
        from tongxin.incidents.registry import register_figures, register_purge
        from tongxin.workforce.services.figures import figures
        from tongxin.workforce.services.purge import purge

        register_figures("workforce", figures)
        register_purge("workforce", purge)
