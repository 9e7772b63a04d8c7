"""The residents' pages (mounted at /help/): no login."""

from django.urls import path

from tongxin.helpdesk.views import public

app_name = "help_public"

urlpatterns = [
    path("", public.ask, name="ask"),
    path("received/<str:token>/", public.received, name="received"),
    path("status/", public.status, name="status"),
]
