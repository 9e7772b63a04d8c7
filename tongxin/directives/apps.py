from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DirectivesConfig(AppConfig):
    name = "tongxin.directives"
    label = "directives"
    verbose_name = _("指令")

    def ready(self) -> None:
        from tongxin.directives import figures  # noqa: F401  (registers its figures)
