from django.urls import path

from tongxin.web import views

urlpatterns = [
    path("", views.home, name="home"),
]
