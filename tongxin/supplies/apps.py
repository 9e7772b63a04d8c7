from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SuppliesConfig(AppConfig):
    name = "tongxin.supplies"
    label = "supplies"
    verbose_name = _("物资保障")

    def ready(self) -> None:
        from tongxin.incidents.registry import register_figures, register_purge
        from tongxin.notifications.kinds import ROBOT_AND_SMS, Kind, register
        from tongxin.supplies.services.figures import figures
        from tongxin.supplies.services.purge import purge

        register(Kind("supplies_low_stock", _("物资库存不足"), ROBOT_AND_SMS))
        register_figures("supplies", figures)
        register_purge("supplies", purge)
