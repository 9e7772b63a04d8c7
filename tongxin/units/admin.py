from django.contrib import admin

from tongxin.units.models import BuildingAssignment, GridRole, Unit, UnitAssignment


class UnitAssignmentInline(admin.TabularInline):
    model = UnitAssignment
    raw_id_fields = ("place",)
    extra = 0


@admin.register(Unit)
class UnitAdmin(admin.ModelAdmin):
    list_display = ("name", "kind", "contact_name")
    list_filter = ("kind",)
    search_fields = ("name",)
    inlines = [UnitAssignmentInline]


@admin.register(GridRole)
class GridRoleAdmin(admin.ModelAdmin):
    list_display = ("place", "role", "user")
    list_filter = ("role",)
    raw_id_fields = ("place", "user")


@admin.register(BuildingAssignment)
class BuildingAssignmentAdmin(admin.ModelAdmin):
    list_display = ("place", "user", "starts_on", "ends_on")
    raw_id_fields = ("place", "user")
