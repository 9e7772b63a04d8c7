from django.contrib import admin
from django.http import HttpRequest

from tongxin.places.models import Place


@admin.register(Place)
class PlaceAdmin(admin.ModelAdmin):
    """Names, codes and coordinates are edited here; the tree's shape changes only through
    imports and services (which keep paths, parents and addresses consistent)."""

    list_display = ("address", "kind", "code", "numchild")
    list_filter = ("kind",)
    search_fields = ("name", "address", "code")
    fields = ("kind", "name", "key", "address", "code", "latitude", "longitude", "path")
    readonly_fields = ("kind", "key", "address", "path")
    ordering = ("path",)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False
