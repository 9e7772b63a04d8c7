from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from tongxin.care.models import CareNeed, GreenRun, Hospital, HospitalSlot, RunPassenger, RunStop


@admin.register(Hospital)
class HospitalAdmin(admin.ModelAdmin):
    """Hospitals are reference data the command post keeps here."""

    list_display = ("name", "address")
    search_fields = ("name",)


class ReadOnlyAdmin(admin.ModelAdmin):
    """Registry records, slots and runs change only through the services (which scope, lock,
    count and audit); the admin is for looking things up."""

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(CareNeed)
class CareNeedAdmin(ReadOnlyAdmin):
    # Names and addresses only: opening a record's details belongs to the audited care page.
    list_display = ("person", "kind", "hospital", "weekdays", "ended_on", "created_at")
    list_filter = ("kind", "hospital")
    list_select_related = ("person", "hospital")
    fields = ("person", "kind", "hospital", "ended_on", "recorded_by", "created_at")
    raw_id_fields = ("person",)


@admin.register(HospitalSlot)
class HospitalSlotAdmin(ReadOnlyAdmin):
    list_display = ("hospital", "date", "starts_at", "ends_at", "area", "capacity", "booked")
    list_filter = ("hospital", "date")


class StopInline(admin.TabularInline):
    model = RunStop
    extra = 0
    can_delete = False
    fields = ("order", "name", "pickup_time")
    readonly_fields = fields


class PassengerInline(admin.TabularInline):
    model = RunPassenger
    extra = 0
    can_delete = False
    fields = ("person", "at_door", "zone_name", "stop", "slot", "status")
    readonly_fields = fields


@admin.register(GreenRun)
class GreenRunAdmin(ReadOnlyAdmin):
    list_display = (
        "date", "township", "hospital", "vehicle", "driver", "escort", "picked_up_count",
        "arrived_count",
    )  # fmt: skip
    list_filter = ("date", "hospital")
    list_select_related = ("township", "hospital", "driver", "escort")
    inlines = (StopInline, PassengerInline)
