from django.conf import settings
from django.contrib import admin
from django.contrib.auth.views import LoginView
from django.urls import include, path

from tongxin.api.api import api
from tongxin.security.forms import ThrottledAuthenticationForm

urlpatterns = [
    path(settings.TONGXIN_ADMIN_PATH, admin.site.urls),
    path("api/v1/", api.urls),
    path("i18n/", include("django.conf.urls.i18n")),
    path(
        "accounts/login/",
        LoginView.as_view(authentication_form=ThrottledAuthenticationForm),
        name="login",
    ),
    path("accounts/otp/", include("tongxin.security.urls")),
    path("accounts/", include("django.contrib.auth.urls")),
    path("notifications/", include("tongxin.notifications.urls")),
    path("directives/", include("tongxin.directives.urls")),
    path("zones/", include("tongxin.zones.urls")),
    path("testing/", include("tongxin.testing.urls")),
    path("sampling/", include("tongxin.sampling.urls")),
    path("help/", include("tongxin.helpdesk.public_urls")),
    path("helpdesk/", include("tongxin.helpdesk.urls")),
    path("care/", include("tongxin.care.urls")),
    path("tracing/", include("tongxin.tracing.urls")),
    path("isolation/", include("tongxin.isolation.urls")),
    path("volunteer/", include("tongxin.workforce.public_urls")),
    path("workforce/", include("tongxin.workforce.urls")),
    path("supplies/", include("tongxin.supplies.urls")),
    path("command/", include("tongxin.command.urls")),
    path("notices/", include("tongxin.command.public_urls")),
    path("", include("tongxin.web.urls")),
]
