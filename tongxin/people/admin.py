from django.contrib import admin
from django.http import HttpRequest

from tongxin.people.models import Person


@admin.register(Person)
class PersonAdmin(admin.ModelAdmin):
    """Read-mostly: ID numbers and phones are shown masked and change through imports."""

    list_display = ("name", "document_masked", "phone_masked", "household", "residence_status")
    list_filter = ("residence_status", "document_type")
    search_fields = ("name", "name_pinyin", "name_initials", "document_last4", "phone_last4")
    fields = (
        "name", "document_type", "document_masked", "sex", "birth_date", "phone_masked",
        "household", "residence_status", "notes",
    )  # fmt: skip
    readonly_fields = ("document_type", "document_masked", "sex", "birth_date", "phone_masked")
    raw_id_fields = ("household",)
    list_select_related = ("household",)

    def get_queryset(self, request: HttpRequest):  # type: ignore[no-untyped-def]
        return super().get_queryset(request).defer("document_number", "phone")

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False
