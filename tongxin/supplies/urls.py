from django.urls import path

from tongxin.supplies import views

app_name = "supplies"
urlpatterns = [
    path("", views.index, name="index"),
    path("rounds/new/", views.new_round, name="round_new"),
    path("rounds/<int:pk>/", views.round_page, name="round"),
    path("requests/new/", views.new_request, name="request_new"),
    path("stock/in/", views.stock_in, name="stock_in"),
    path("deliveries/delivered/", views.delivered, name="delivered"),
    path("deliveries/link/", views.link_request, name="link_request"),
    path("requests/<int:pk>/issue/", views.issue_request_view, name="issue"),
    path("requests/<int:pk>/receipt/", views.receipt, name="receipt"),
]
