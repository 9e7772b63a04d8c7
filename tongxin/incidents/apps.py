from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class IncidentsConfig(AppConfig):
    name = "tongxin.incidents"
    label = "incidents"
    verbose_name = _("响应事件与防控方案")
