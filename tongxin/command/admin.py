from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from tongxin.command.models import DailyReport, Notice, ReportSettings, TimelineEntry


@admin.register(ReportSettings)
class ReportSettingsAdmin(admin.ModelAdmin):
    """The cut-off of each incident's daily report, its title and issuer."""

    list_display = ("incident", "cutoff_hour", "cutoff_minute", "title", "issuer")


@admin.register(DailyReport)
class DailyReportAdmin(admin.ModelAdmin):
    """Reports change only through the workflow (frozen snapshot, review, issue): look only."""

    list_display = ("incident", "number", "report_date", "status", "issued_at")
    list_filter = ("status",)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


admin.site.register(TimelineEntry, list_display=("incident", "at", "kind", "text"))
admin.site.register(Notice, list_display=("incident", "number", "title", "status"))
