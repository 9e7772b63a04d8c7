from django.urls import path

from tongxin.zones import views

app_name = "zones"
urlpatterns = [
    path("", views.zone_list, name="list"),
    path("map/", views.zone_map, name="map"),
    path("designate/", views.designate, name="designate"),
    path("<int:pk>/", views.zone_detail, name="detail"),
    path("<int:pk>/change/", views.change, name="change"),
    path("<int:pk>/lift/", views.lift, name="lift"),
    path("<int:pk>/accept/", views.accept, name="accept"),
    path("<int:pk>/dismiss/", views.dismiss, name="dismiss"),
    path("proposals/<int:pk>/accept/", views.accept_designation, name="accept_designation"),
    path("proposals/<int:pk>/dismiss/", views.dismiss_designation, name="dismiss_designation"),
    path("<int:pk>/rounds/", views.record_round, name="record_round"),
]
