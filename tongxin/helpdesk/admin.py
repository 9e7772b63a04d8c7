from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from tongxin.helpdesk.models import HelpRequest, KeywordRule, RequestEvent, RequestImport


@admin.register(KeywordRule)
class KeywordRuleAdmin(admin.ModelAdmin):
    list_display = ("keyword", "priority", "category", "marks_emergency", "is_active")
    list_filter = ("priority", "category", "marks_emergency", "is_active")
    list_editable = ("priority", "category", "marks_emergency", "is_active")
    search_fields = ("keyword",)


class EventInline(admin.TabularInline):
    model = RequestEvent
    extra = 0
    fields = ("at", "kind", "outcome", "actor_label", "note")
    readonly_fields = fields
    can_delete = False

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(HelpRequest)
class HelpRequestAdmin(admin.ModelAdmin):
    """Read-only: requests change through the platform's steps, which keep their history.
    The callback number and the resident's own words show masked only."""

    list_display = (
        "number", "received_at", "channel", "category", "priority", "is_emergency", "status",
        "team", "phone_masked",
    )  # fmt: skip
    list_filter = ("status", "category", "priority", "is_emergency", "channel", "incident")
    search_fields = ("number", "external_ref", "caller_name", "phone_last4")
    date_hierarchy = "received_at"
    list_select_related = ("team",)
    exclude = ("phone", "text_original")
    inlines = [EventInline]

    def get_queryset(self, request: HttpRequest):  # type: ignore[no-untyped-def]
        return super().get_queryset(request).defer("phone", "text_original")

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(RequestImport)
class RequestImportAdmin(admin.ModelAdmin):
    list_display = (
        "filename",
        "created_at",
        "created_by",
        "rows",
        "created",
        "skipped",
        "rejected",
    )
    readonly_fields = ("problems",)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False
