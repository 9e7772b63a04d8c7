from django.contrib import admin

from tongxin.incidents.models import Incident, PolicyEdition


@admin.register(PolicyEdition)
class PolicyEditionAdmin(admin.ModelAdmin):
    list_display = ("name", "code", "effective_from")


@admin.register(Incident)
class IncidentAdmin(admin.ModelAdmin):
    list_display = ("name", "started_at", "ended_at", "policy_edition", "purge_due_on")
    readonly_fields = ("retention_days", "purge_due_on")
