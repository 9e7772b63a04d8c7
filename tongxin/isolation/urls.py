from django.urls import path

from tongxin.isolation import views

app_name = "isolation"
urlpatterns = [
    path("", views.index, name="index"),
    path("sites/<int:pk>/", views.site_detail, name="site"),
    path("sites/<int:pk>/floors/<int:floor>/", views.floor, name="floor"),
    path("sites/<int:pk>/sampling/", views.sampling, name="sampling"),
    path("rooms/<int:pk>/status/", views.room_status, name="room_status"),
    path("transfer-list/", views.transfer_list, name="transfer_list"),
    path("transfer-list/add/", views.add_entry, name="add_entry"),
    path("entries/<int:pk>/companion/", views.add_companion, name="add_companion"),
    path("batches/new/", views.create_batch, name="create_batch"),
    path("batches/<int:pk>/", views.batch_detail, name="batch"),
    path("batches/<int:pk>/pickup/", views.pickup, name="pickup"),
    path("batches/<int:pk>/receive/", views.receive, name="receive"),
    path("batches/<int:pk>/close/", views.close, name="close"),
    path("batches/<int:pk>/allocate/", views.allocate, name="allocate"),
    path("batches/<int:pk>/disinfection/", views.disinfect, name="disinfect"),
    path("batches/<int:pk>/handover/", views.handover, name="handover"),
    path("batches/<int:pk>/handover.xlsx", views.handover_xlsx, name="handover_xlsx"),
    path("release-due/", views.release_due, name="release_due"),
    path("stays/<int:pk>/release/", views.release, name="release"),
    path("stays/<int:pk>/notice/", views.notice, name="notice"),
    path("home/", views.home_list, name="home"),
]
