from django.urls import path

from tongxin.web.views import (
    activation,
    audit,
    exports,
    home,
    imports,
    manage,
    places,
    residents,
)

urlpatterns = [
    path("", home.home, name="home"),
    path("places/", places.tree, name="tree"),
    path("places/<int:pk>/", places.place_detail, name="place"),
    path("places/<int:pk>/children/", places.place_children, name="place_children"),
    path("residents/", residents.resident_list, name="residents"),
    path("residents/<int:pk>/", residents.resident_detail, name="resident"),
    path(
        "residents/<int:pk>/reveal/<str:field>/",
        residents.reveal,
        name="resident_reveal",
    ),
    path("imports/", imports.import_list, name="imports"),
    path("imports/<int:pk>/", imports.import_job, name="import_job"),
    path("imports/<int:pk>/confirm/", imports.import_confirm, name="import_confirm"),
    path("imports/<int:pk>/errors/", imports.import_errors, name="import_errors"),
    path("exports/residents/", exports.export_residents, name="export_residents"),
    path("audit/", audit.audit_list, name="audit"),
    path("activate/<str:key>/", activation.activate_account, name="activate"),
    path("manage/staff/", manage.staff_list, name="manage_staff"),
    path("manage/staff/<int:pk>/", manage.staff_detail, name="manage_staff_detail"),
    path("manage/staff/links/", manage.staff_links, name="manage_staff_links"),
    path("manage/units/", manage.unit_list, name="manage_units"),
    path("manage/units/<int:pk>/", manage.unit_detail, name="manage_unit"),
    path("manage/incidents/", manage.incident_list, name="manage_incidents"),
]
