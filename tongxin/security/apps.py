from django.apps import AppConfig


class SecurityConfig(AppConfig):
    name = "tongxin.security"
    label = "security"
    verbose_name = "安全"

    def ready(self) -> None:
        from tongxin.security import admin_lockdown, alerts, checks, second_factor  # noqa: F401

        admin_lockdown.lock_down()
        alerts.connect()
        second_factor.connect()
