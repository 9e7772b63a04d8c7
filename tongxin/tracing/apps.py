from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TracingConfig(AppConfig):
    name = "tongxin.tracing"
    label = "tracing"
    verbose_name = _("流调")

    def ready(self) -> None:
        from tongxin.incidents.registry import (
            register_expected_tests,
            register_figures,
            register_purge,
        )
        from tongxin.tracing.services.figures import figures
        from tongxin.tracing.services.followup import expected_tests
        from tongxin.tracing.services.purge import purge

        register_figures("tracing", figures)
        register_purge("tracing", purge)
        register_expected_tests("tracing", expected_tests)
