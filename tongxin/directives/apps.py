from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DirectivesConfig(AppConfig):
    name = "tongxin.directives"
    label = "directives"
    verbose_name = _("指令")

    def ready(self) -> None:
        from tongxin.directives import home, retention
        from tongxin.incidents.registry import register_purge

        home.register()
        register_purge("directives", retention.purge)
        from tongxin.directives import figures  # noqa: F401  (registers its figures)
