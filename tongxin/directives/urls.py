from django.urls import path

from tongxin.directives import views

app_name = "directives"

urlpatterns = [
    path("", views.directive_list, name="list"),
    path("new/", views.issue, name="issue"),
    path("mine/", views.my_unit, name="mine"),
    path("units/", views.units, name="units"),
    path("units/<int:unit_id>/", views.unit_directives, name="unit"),
    path("<int:pk>/", views.detail, name="detail"),
    path("<int:pk>/cancel/", views.cancel, name="cancel"),
    path("<int:pk>/attachments/<int:attachment_pk>/", views.attachment, name="attachment"),
    path("targets/<int:pk>/sign/", views.sign, name="sign"),
    path("targets/<int:pk>/feedback/", views.feedback, name="feedback"),
    path("targets/<int:pk>/complete/", views.complete, name="complete"),
    path("targets/<int:pk>/tasks/", views.assign, name="assign"),
    path("targets/<int:pk>/completer/", views.completer, name="completer"),
    path("tasks/<int:pk>/report/", views.task_report, name="task_report"),
    path("files/<str:kind>/<int:pk>/", views.report_file, name="file"),
]
