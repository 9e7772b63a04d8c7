from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from tongxin.zones.models import AreaTestRound, PositiveFinding, ProposalDismissal, ZoneDesignation


class ReadOnlyAdmin(admin.ModelAdmin):
    """Zones change only through the services (which lock, validate, audit and notify); the
    admin is for looking things up."""

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(ZoneDesignation)
class ZoneDesignationAdmin(ReadOnlyAdmin):
    list_display = (
        "place", "kind_name", "incident", "effective_from", "effective_until", "ended_how",
        "decided_by",
    )  # fmt: skip
    list_filter = ("incident", "kind", "ended_how")
    search_fields = ("place__address", "reason")
    list_select_related = ("place", "incident", "decided_by")
    date_hierarchy = "effective_from"


@admin.register(PositiveFinding)
class PositiveFindingAdmin(ReadOnlyAdmin):
    list_display = ("place", "found_at", "source", "reference", "incident")
    list_filter = ("incident",)
    search_fields = ("place__address", "reference")
    list_select_related = ("place", "incident")


@admin.register(AreaTestRound)
class AreaTestRoundAdmin(ReadOnlyAdmin):
    list_display = ("place", "completed_at", "all_negative", "reference", "incident")
    list_filter = ("incident", "all_negative")
    search_fields = ("place__address", "reference")
    list_select_related = ("place", "incident")


@admin.register(ProposalDismissal)
class ProposalDismissalAdmin(ReadOnlyAdmin):
    list_display = ("designation", "dismissed_at", "dismissed_by", "note")
    list_select_related = ("designation__place", "dismissed_by")
