from django.contrib import admin
from django.http import HttpRequest

from tongxin.audit.models import AuditEvent


@admin.register(AuditEvent)
class AuditEventAdmin(admin.ModelAdmin):
    """The trail is append-only: nobody edits or deletes it from here."""

    list_display = ("at", "actor_label", "channel", "action", "target_type", "target_label", "ip")
    list_filter = ("action", "channel", "target_type")
    search_fields = ("actor_label", "target_label", "target_id")
    date_hierarchy = "at"

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False
