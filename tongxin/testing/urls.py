from django.urls import path

from tongxin.testing import views

app_name = "testing"
urlpatterns = [
    path("", views.round_list, name="rounds"),
    path("new/", views.round_create, name="round_create"),
    path("calculator/", views.calculator, name="calculator"),
    path("points/", views.point_list, name="points"),
    path("points/new/", views.point_create, name="point_create"),
    path("points/<int:pk>/", views.point_detail, name="point"),
    path("<int:pk>/", views.round_detail, name="round"),
    path("<int:pk>/areas/", views.round_area, name="round_area"),
    path("<int:pk>/status/", views.round_status, name="round_status"),
    path("<int:pk>/points/", views.round_point_add, name="round_point_add"),
    path("<int:pk>/points/import/", views.round_points_import, name="round_points_import"),
    path("<int:pk>/plan/", views.plan_page, name="plan"),
    path("<int:pk>/plan/run/", views.plan_run, name="plan_run"),
    path("<int:pk>/plan/slots/<int:slot_pk>/", views.slot_move, name="slot_move"),
    path("<int:pk>/reminders/", views.reminder_list, name="reminders"),
    path("<int:pk>/reminders/mark/", views.reminder_mark, name="reminder_mark"),
    path("<int:pk>/reminders/send/<int:slot_pk>/", views.reminder_send, name="reminder_send"),
    path("<int:pk>/exemptions/", views.exemption_list, name="exemptions"),
]
