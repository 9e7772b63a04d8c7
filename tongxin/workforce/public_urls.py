"""The public volunteer registration (mounted at /volunteer/): no login."""

from django.urls import path

from tongxin.workforce import views

app_name = "volunteer_public"

urlpatterns = [
    path("", views.volunteer_register, name="register"),
    path("thanks/", views.volunteer_thanks, name="thanks"),
]
