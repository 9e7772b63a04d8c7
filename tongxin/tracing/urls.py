from django.urls import path

from tongxin.tracing import views

app_name = "tracing"
urlpatterns = [
    path("", views.workbench, name="workbench"),
    path("cases/new/", views.new_case, name="new_case"),
    path("cases/<int:pk>/", views.case_page, name="case"),
    path("cases/<int:pk>/notice/", views.notice_page, name="notice"),
    path("chain/", views.chain_page, name="chain"),
    path("chain.json", views.chain_json, name="chain_json"),
    path("contacts/", views.contacts_page, name="contacts"),
    path("contacts/<int:pk>/", views.contact_page, name="contact"),
    path("venues/", views.venues_page, name="venues"),
    path("copresence/", views.copresence_page, name="copresence"),
    path("assist/", views.assist_page, name="assist"),
    path("assist/export/", views.assist_export, name="assist_export"),
]
