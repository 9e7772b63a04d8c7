from django.urls import path

from tongxin.command import views

app_name = "command"

urlpatterns = [
    path("", views.dashboard_page, name="dashboard"),
    path("trends.json", views.trends_json, name="trends"),
    path("wall/", views.wall, name="wall"),
    path("reports/", views.report_list, name="reports"),
    path("reports/<int:number>/", views.report_page, name="report"),
    path("reports/<int:number>/<str:ext>", views.report_download, name="report_download"),
    path("timeline/", views.timeline_page, name="timeline"),
    path("notices/", views.notice_list, name="notices"),
    path("notices/<int:pk>/publish/", views.notice_publish, name="notice_publish"),
]
