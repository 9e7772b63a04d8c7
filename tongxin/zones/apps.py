from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ZonesConfig(AppConfig):
    name = "tongxin.zones"
    label = "zones"
    verbose_name = _("三区管控")

    def ready(self) -> None:
        from tongxin.incidents.registry import register_purge
        from tongxin.zones import retention

        register_purge("zones", retention.purge)
        from tongxin.zones import figures  # noqa: F401  (registers its figures)
