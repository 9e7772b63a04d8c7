from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class UnitsConfig(AppConfig):
    name = "tongxin.units"
    label = "units"
    verbose_name = _("包干单位与网格")
