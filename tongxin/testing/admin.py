from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from tongxin.testing.models import (
    Exemption,
    PlanSlot,
    ReminderEntry,
    RoundArea,
    RoundPlan,
    RoundPoint,
    TestPoint,
    TestRound,
)


class ReadOnlyAdmin(admin.ModelAdmin):
    """Rounds, plans and reminders change through the pages and services (which check scope
    and capacity); the admin is for looking things up."""

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class RoundAreaInline(admin.TabularInline):
    model = RoundArea
    extra = 0
    fields = ("place", "mode_override")
    readonly_fields = fields
    can_delete = False

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(TestRound)
class TestRoundAdmin(ReadOnlyAdmin):
    list_display = ("name", "incident", "status", "starts_at", "deadline", "created_by")
    list_filter = ("status", "incident")
    search_fields = ("name",)
    inlines = (RoundAreaInline,)


@admin.register(TestPoint)
class TestPointAdmin(admin.ModelAdmin):
    list_display = ("name", "place", "opens_at", "closes_at", "samplers", "active")
    list_filter = ("active",)
    search_fields = ("name", "address", "place__address")
    raw_id_fields = ("place",)


@admin.register(RoundPoint)
class RoundPointAdmin(ReadOnlyAdmin):
    list_display = ("round", "point", "samplers")
    list_select_related = ("round", "point")


@admin.register(Exemption)
class ExemptionAdmin(ReadOnlyAdmin):
    list_display = ("round", "person", "reason", "created_by", "created_at")
    list_filter = ("reason", "round")
    list_select_related = ("round", "person", "created_by")


@admin.register(RoundPlan)
class RoundPlanAdmin(ReadOnlyAdmin):
    list_display = ("round", "feasible", "people_per_sampler_hour", "made_at", "adjusted_at")


@admin.register(PlanSlot)
class PlanSlotAdmin(ReadOnlyAdmin):
    list_display = ("round", "place", "round_point", "starts_at", "ends_at", "people", "by_hand")
    list_filter = ("round", "by_hand")
    list_select_related = ("round", "place", "round_point__point")


@admin.register(ReminderEntry)
class ReminderEntryAdmin(ReadOnlyAdmin):
    list_display = ("round", "household", "status", "marked_by", "marked_at", "sms_sent_at")
    list_filter = ("round", "status")
    list_select_related = ("round", "household", "marked_by")
