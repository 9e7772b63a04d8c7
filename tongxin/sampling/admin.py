from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from tongxin.sampling.models import (
    Box,
    DoorTask,
    HandoverStep,
    LabResult,
    PositivePerson,
    Recall,
    RecallMember,
    ResultImport,
    SampleEvent,
    SamplingTeam,
    TemporaryControl,
    Tube,
    WalkIn,
)


class ReadOnlyAdmin(admin.ModelAdmin):
    """Samples, tubes, results and recalls change only through the services (which validate,
    count and audit in bulk); the admin is for looking things up."""

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Tube)
class TubeAdmin(ReadOnlyAdmin):
    list_display = ("barcode", "round", "point", "mode", "sample_count", "capacity", "status",
                    "result", "result_conflict")  # fmt: skip
    list_filter = ("status", "mode", "result", "result_conflict")
    search_fields = ("barcode",)
    list_select_related = ("round", "point")


@admin.register(SampleEvent)
class SampleEventAdmin(ReadOnlyAdmin):
    list_display = ("client_event_id", "tube", "point", "sampled_at", "source", "repeat")
    list_filter = ("source", "repeat")
    search_fields = ("tube__barcode",)
    list_select_related = ("tube", "point")
    raw_id_fields = ("person", "household", "tube")


@admin.register(LabResult)
class LabResultAdmin(ReadOnlyAdmin):
    list_display = ("barcode", "result", "lab", "reported_at", "status")
    list_filter = ("status", "result", "lab")
    search_fields = ("barcode",)


@admin.register(ResultImport)
class ResultImportAdmin(ReadOnlyAdmin):
    list_display = ("name", "lab", "imported_at", "imported_by")


@admin.register(Recall)
class RecallAdmin(ReadOnlyAdmin):
    list_display = ("tube", "round", "raised_at", "status", "closed_at")
    list_filter = ("status",)
    list_select_related = ("tube", "round")


@admin.register(RecallMember)
class RecallMemberAdmin(ReadOnlyAdmin):
    list_display = ("recall", "household", "zone_name", "result", "result_at")
    raw_id_fields = ("person", "household")


@admin.register(TemporaryControl)
class TemporaryControlAdmin(ReadOnlyAdmin):
    list_display = ("person", "reason", "started_at", "ended_at")
    raw_id_fields = ("person",)


@admin.register(PositivePerson)
class PositivePersonAdmin(ReadOnlyAdmin):
    list_display = ("person", "household", "tube", "found_at")
    raw_id_fields = ("person", "household")


@admin.register(WalkIn)
class WalkInAdmin(ReadOnlyAdmin):
    list_display = ("person", "point", "registered_at", "checked_at")
    raw_id_fields = ("person",)


@admin.register(Box)
class BoxAdmin(ReadOnlyAdmin):
    list_display = ("code", "round", "point", "status", "sealed_count", "mismatch")
    list_filter = ("status", "mismatch")
    search_fields = ("code",)


@admin.register(HandoverStep)
class HandoverStepAdmin(ReadOnlyAdmin):
    list_display = ("box", "stage", "expected", "counted", "party", "at")


@admin.register(DoorTask)
class DoorTaskAdmin(ReadOnlyAdmin):
    list_display = ("household", "reason", "mode", "team", "status", "done_at")
    list_filter = ("reason", "status")
    raw_id_fields = ("household", "person")


@admin.register(SamplingTeam)
class SamplingTeamAdmin(admin.ModelAdmin):
    """Teams are set up by hand."""

    list_display = ("name", "unit", "active")
    filter_horizontal = ("members",)
