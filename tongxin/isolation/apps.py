from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class IsolationConfig(AppConfig):
    name = "tongxin.isolation"
    label = "isolation"
    verbose_name = _("集中隔离与转运")

    def ready(self) -> None:
        from tongxin.incidents.registry import register_figures, register_purge
        from tongxin.isolation import signals
        from tongxin.isolation.services.figures import figures
        from tongxin.isolation.services.purge import purge
        from tongxin.notifications.kinds import ROBOT_AND_SMS, Channel, Kind, register

        register(Kind("transfer_unreachable", _("转运对象联系不上"), ROBOT_AND_SMS))
        register(Kind("transfer_mismatch", _("转运批次人数不符"), frozenset({Channel.ROBOT})))
        register(Kind("isolation_positive", _("隔离点筛查阳性"), frozenset({Channel.SMS})))
        register_figures("isolation", figures)
        register_purge("isolation", purge)
        from tongxin.isolation.services.insite import staffed_points
        from tongxin.sampling.services.access import register_point_staff

        register_point_staff("isolation", staffed_points)
        from tongxin.isolation import panels

        panels.register()
        signals.connect()
