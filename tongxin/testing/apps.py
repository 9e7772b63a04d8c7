from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TestingConfig(AppConfig):
    name = "tongxin.testing"
    label = "testing"
    verbose_name = _("全员核酸")

    def ready(self) -> None:
        from tongxin.notifications.kinds import ROBOT_AND_SMS, Channel, Kind, register

        # Cadres get the inbox (and SMS by preference) and units' group robots the post;
        # households get their own text by SMS.
        register(Kind("test_reminder", _("核酸检测提醒"), ROBOT_AND_SMS))
        register(
            Kind("test_reminder_household", _("核酸检测提醒（居民）"), frozenset({Channel.SMS}))
        )
        from tongxin.incidents.registry import register_purge
        from tongxin.testing import retention

        register_purge("testing", retention.purge)
