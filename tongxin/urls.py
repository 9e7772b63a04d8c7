from django.contrib import admin
from django.urls import include, path

from tongxin.api.api import api

urlpatterns = [
    path("admin/", admin.site.urls),
    path("api/v1/", api.urls),
    path("i18n/", include("django.conf.urls.i18n")),
    path("accounts/", include("django.contrib.auth.urls")),
    path("notifications/", include("tongxin.notifications.urls")),
    path("directives/", include("tongxin.directives.urls")),
    path("zones/", include("tongxin.zones.urls")),
    path("testing/", include("tongxin.testing.urls")),
    path("sampling/", include("tongxin.sampling.urls")),
    path("help/", include("tongxin.helpdesk.public_urls")),
    path("helpdesk/", include("tongxin.helpdesk.urls")),
    path("care/", include("tongxin.care.urls")),
    path("command/", include("tongxin.command.urls")),
    path("notices/", include("tongxin.command.public_urls")),
    path("", include("tongxin.web.urls")),
]
