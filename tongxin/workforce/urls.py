from django.urls import path

from tongxin.workforce import views

app_name = "workforce"
urlpatterns = [
    path("", views.coverage_page, name="coverage"),
    path("me/", views.my_shifts, name="me"),
    path("me/check/", views.my_check, name="check"),
    path("suggest/", views.suggest_page, name="suggest"),
    path("volunteers/", views.volunteers, name="volunteers"),
    path("volunteers/<int:pk>/verify/", views.verify_volunteer, name="verify"),
    path("members/<int:pk>/certificate/", views.certificate, name="certificate"),
    path("branches/", views.branches, name="branches"),
    path("teams/", views.teams, name="teams"),
]
