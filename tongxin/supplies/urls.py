from django.urls import path

from tongxin.supplies import views

app_name = "supplies"
urlpatterns = [
    path("", views.index, name="index"),
    path("rounds/<int:pk>/", views.round_page, name="round"),
    path("deliveries/delivered/", views.delivered, name="delivered"),
    path("deliveries/link/", views.link_request, name="link_request"),
    path("requests/<int:pk>/issue/", views.issue_request_view, name="issue"),
    path("requests/<int:pk>/receipt/", views.receipt, name="receipt"),
]
