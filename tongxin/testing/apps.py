from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TestingConfig(AppConfig):
    name = "tongxin.testing"
    label = "testing"
    verbose_name = _("全员核酸")

    def ready(self) -> None:
        from tongxin.notifications.kinds import ROBOT_AND_SMS, Kind, register

        # Households' phones get the SMS (see services.reminders); cadres the inbox (and SMS
        # by preference); the responsible units' group robots the post.
        register(Kind("test_reminder", _("核酸检测提醒"), ROBOT_AND_SMS))
