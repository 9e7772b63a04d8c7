from django.contrib import admin

from tongxin.directives.models import (
    Directive,
    DirectiveAttachment,
    DirectiveTarget,
    Feedback,
    UnitTask,
)


class AttachmentInline(admin.TabularInline):
    model = DirectiveAttachment
    extra = 0


class TargetInline(admin.TabularInline):
    model = DirectiveTarget
    extra = 0
    fields = ("unit", "status", "signed_at", "completed_at", "escalation_level")
    readonly_fields = ("status", "signed_at", "completed_at", "escalation_level")
    autocomplete_fields = ("unit",)


@admin.register(Directive)
class DirectiveAdmin(admin.ModelAdmin):
    list_display = ("seq", "title", "incident", "priority", "deadline", "status", "issued_by")
    list_filter = ("status", "priority", "incident")
    search_fields = ("title", "text")
    date_hierarchy = "issued_at"
    readonly_fields = ("seq", "issued_at", "closed_at", "zone_designation_id", "zone_label")
    raw_id_fields = ("issued_by",)
    inlines = [AttachmentInline, TargetInline]


class FeedbackInline(admin.TabularInline):
    model = Feedback
    extra = 0
    raw_id_fields = ("author",)


class TaskInline(admin.TabularInline):
    model = UnitTask
    fk_name = "target"
    extra = 0
    raw_id_fields = ("assignee", "place", "created_by")


@admin.register(DirectiveTarget)
class DirectiveTargetAdmin(admin.ModelAdmin):
    list_display = ("directive", "unit", "status", "signed_at", "completed_at", "escalation_level")
    list_filter = ("status", "escalation_level")
    search_fields = ("directive__title", "unit__name")
    raw_id_fields = ("directive", "signed_by", "completed_by")
    autocomplete_fields = ("unit",)
    inlines = [FeedbackInline, TaskInline]
