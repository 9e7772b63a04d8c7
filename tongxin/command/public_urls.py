from django.urls import path

from tongxin.command import views

app_name = "notices"

urlpatterns = [
    path("", views.public_notices, name="list"),
    path("<int:incident_id>/<int:number>/", views.public_notice, name="notice"),
]
