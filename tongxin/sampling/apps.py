from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SamplingConfig(AppConfig):
    name = "tongxin.sampling"
    label = "sampling"
    verbose_name = _("采样与检测")

    def ready(self) -> None:
        from tongxin.notifications.kinds import ROBOT_AND_SMS, Channel, Kind, register

        register(Kind("recall_raised", _("混管阳性复核"), ROBOT_AND_SMS))
        register(Kind("positive_found", _("单管阳性"), frozenset({Channel.SMS})))
        register(Kind("handover_mismatch", _("样本交接数量不符"), frozenset({Channel.ROBOT})))
        from tongxin.incidents.registry import register_purge
        from tongxin.sampling import retention

        register_purge("sampling", retention.purge)
        from tongxin.sampling import figures  # noqa: F401  (registers its figures)
