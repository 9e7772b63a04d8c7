from typing import Any

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from treebeard.mp_tree import MP_Node, MP_NodeManager, MP_NodeQuerySet

from tongxin.audit.signals import AuditedModel


class PlaceKind(models.TextChoices):
    """Levels of the one place tree; urban and rural names share a level."""

    COUNTY = "county", _("县（市、区）")
    TOWNSHIP = "township", _("乡镇/街道")
    COMMUNITY = "community", _("社区/村")
    ESTATE = "estate", _("小区/自然村")
    BUILDING = "building", _("楼幢/组")
    STAIRWELL = "stairwell", _("单元")
    HOUSEHOLD = "household", _("户")


KIND_DEPTH = {
    PlaceKind.COUNTY: 1,
    PlaceKind.TOWNSHIP: 2,
    PlaceKind.COMMUNITY: 3,
    PlaceKind.ESTATE: 4,
    PlaceKind.BUILDING: 5,
}
# Which kinds may sit directly under which (a stairwell is optional).
CHILD_KINDS = {
    PlaceKind.COUNTY: {PlaceKind.TOWNSHIP},
    PlaceKind.TOWNSHIP: {PlaceKind.COMMUNITY},
    PlaceKind.COMMUNITY: {PlaceKind.ESTATE},
    PlaceKind.ESTATE: {PlaceKind.BUILDING},
    PlaceKind.BUILDING: {PlaceKind.STAIRWELL, PlaceKind.HOUSEHOLD},
    PlaceKind.STAIRWELL: {PlaceKind.HOUSEHOLD},
    PlaceKind.HOUSEHOLD: set(),
}


class PlaceQuerySet(MP_NodeQuerySet):
    def visible_to(self, user: Any) -> "PlaceQuerySet":
        """The places in the user's jurisdiction: their unit's assigned places and below."""
        from tongxin.accounts.jurisdiction import jurisdiction_of

        return self.filter(jurisdiction_of(user).q("path"))

    def under(self, place: "Place", include_self: bool = True) -> "PlaceQuerySet":
        qs = self.filter(path__startswith=place.path)
        return qs if include_self else qs.exclude(pk=place.pk)


class PlaceManager(MP_NodeManager.from_queryset(PlaceQuerySet)):  # type: ignore[misc]
    def get_queryset(self) -> PlaceQuerySet:
        return PlaceQuerySet(self.model, using=self._db).order_by("path")


class Place(AuditedModel, MP_Node):
    """A node of the county's place tree, from the county down to a household (户/房号).

    `path` (treebeard's materialized path) makes "everything under this node" one indexed
    prefix query; `parent` is kept as well so siblings can be unique by kind and key.
    """

    steplen = 4
    alphabet = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"

    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="children"
    )
    kind = models.CharField(_("类型"), max_length=16, choices=PlaceKind.choices)
    name = models.CharField(_("名称"), max_length=100)
    key = models.CharField(
        _("匹配键"),
        max_length=100,
        help_text=_("规范化名称，用于识别同一地点（如 3、3幢、3号楼 均为 3）"),
    )
    code = models.CharField(_("区划代码"), max_length=20, blank=True)
    address = models.CharField(_("地址"), max_length=400, blank=True)
    latitude = models.DecimalField(_("纬度"), max_digits=9, decimal_places=6, null=True, blank=True)
    longitude = models.DecimalField(
        _("经度"), max_digits=9, decimal_places=6, null=True, blank=True
    )
    created_at = models.DateTimeField(auto_now_add=True)

    AUDIT_EXCLUDE = ("path", "depth", "numchild", "created_at")

    objects = PlaceManager()

    class Meta:
        verbose_name = _("地点")
        verbose_name_plural = _("地点")
        constraints = [
            models.UniqueConstraint(
                fields=["parent", "kind", "key"], name="place_unique_sibling_key"
            ),
        ]
        indexes = [
            # LIKE 'prefix%' on PostgreSQL needs pattern ops unless the collation is C.
            models.Index(
                fields=["path"], name="place_path_prefix", opclasses=["varchar_pattern_ops"]
            ),
            models.Index(fields=["kind", "path"], name="place_kind_path"),
        ]

    def __str__(self) -> str:
        return self.address or self.name

    @property
    def is_household(self) -> bool:
        return self.kind == PlaceKind.HOUSEHOLD

    def ancestors_q(self) -> Q:
        prefixes = [self.path[:i] for i in range(self.steplen, len(self.path) + 1, self.steplen)]
        return Q(path__in=prefixes)
