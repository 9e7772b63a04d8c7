from django.urls import path

from tongxin.security import views

urlpatterns = [
    path("", views.second_factor, name="second_factor"),
    path("enrol/", views.enrol, name="second_factor_enrol"),
    path("verify/", views.verify, name="second_factor_verify"),
]
