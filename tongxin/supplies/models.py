"""Warehouses, items, the stock ledger (by batch), requests from posts, and household
deliveries for sealed and controlled estates.

Stock never goes negative: each batch's quantity has a CHECK (quantity >= 0) and issues
decrement it with a conditional UPDATE under a row lock (services.stock.issue)."""

from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


def _jurisdiction(user: Any) -> Any:
    from tongxin.accounts.jurisdiction import jurisdiction_of

    return jurisdiction_of(user)


def _may(user: Any, perm: str) -> bool:
    from tongxin.accounts.permissions import has_perm

    return has_perm(user, perm)


class ItemCategory(models.TextChoices):
    PPE = "ppe", _("防护用品")
    SAMPLING = "sampling", _("采样耗材")
    LIVING = "living", _("生活物资")
    MEDICINE = "medicine", _("药品")
    OTHER = "other", _("其他")


class Item(models.Model):
    name = models.CharField(_("物资名称"), max_length=60, unique=True)
    category = models.CharField(_("类别"), max_length=16, choices=ItemCategory.choices)
    unit_label = models.CharField(_("单位"), max_length=10, default="件")
    low_stock_at = models.PositiveIntegerField(_("低库存预警线"), default=0)

    class Meta:
        verbose_name = _("物资")
        verbose_name_plural = _("物资")
        ordering = ["category", "name"]

    def __str__(self) -> str:
        return self.name


class WarehouseQuerySet(models.QuerySet["Warehouse"]):
    def visible_to(self, user: Any) -> "WarehouseQuerySet":
        if not _may(user, "view_supplies"):
            return self.none()
        j = _jurisdiction(user)
        if j.everywhere or _may(user, "manage_supplies"):
            return self
        unit_id = getattr(user, "unit_id", None)
        condition = j.q("place__path") if j.paths else Q(pk__in=[])
        if unit_id:
            condition |= Q(unit_id=unit_id)
        return self.filter(condition)


class Warehouse(models.Model):
    name = models.CharField(_("仓库名称"), max_length=100, unique=True)
    place = models.ForeignKey(
        "places.Place",
        verbose_name=_("地点"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="warehouses",
    )
    unit = models.ForeignKey(
        "units.Unit",
        verbose_name=_("管理单位"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="warehouses",
    )
    active = models.BooleanField(_("启用"), default=True)

    objects = WarehouseQuerySet.as_manager()

    class Meta:
        verbose_name = _("仓库")
        verbose_name_plural = _("仓库")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class StockLot(models.Model):
    """What a warehouse holds of an item from one batch (批次)."""

    warehouse = models.ForeignKey(Warehouse, on_delete=models.PROTECT, related_name="lots")
    item = models.ForeignKey(Item, on_delete=models.PROTECT, related_name="lots")
    batch = models.CharField(_("批次"), max_length=40, blank=True)
    expires_on = models.DateField(_("有效期至"), null=True, blank=True)
    quantity = models.IntegerField(_("结存"), default=0)
    received_at = models.DateTimeField(_("入库时间"), default=timezone.now)

    class Meta:
        verbose_name = _("库存批次")
        verbose_name_plural = _("库存批次")
        ordering = ["expires_on", "received_at", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["warehouse", "item", "batch"], name="supplies_lot_unique"
            ),
            models.CheckConstraint(
                condition=Q(quantity__gte=0), name="supplies_lot_never_negative"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.item} {self.batch} {self.quantity}"


class MoveKind(models.TextChoices):
    IN = "in", _("入库")
    OUT = "out", _("出库")
    ADJUST = "adjust", _("盘点调整")


class StockMove(models.Model):
    """The ledger: every change to a batch, with the item's balance in the warehouse after."""

    warehouse = models.ForeignKey(Warehouse, on_delete=models.PROTECT, related_name="moves")
    item = models.ForeignKey(Item, on_delete=models.PROTECT, related_name="moves")
    lot = models.ForeignKey(StockLot, on_delete=models.PROTECT, related_name="moves")
    kind = models.CharField(_("类型"), max_length=8, choices=MoveKind.choices)
    quantity = models.IntegerField(_("数量"))  # signed: + in, − out
    balance_after = models.IntegerField(_("结存"))
    at = models.DateTimeField(_("时间"), default=timezone.now)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    request = models.ForeignKey(
        "SupplyRequest", null=True, blank=True, on_delete=models.SET_NULL, related_name="moves"
    )
    note = models.CharField(_("说明"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("出入库记录")
        verbose_name_plural = _("出入库记录")
        ordering = ["-at", "-pk"]
        indexes = [models.Index(fields=["warehouse", "item", "at"], name="supplies_move_wh_item")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.item} {self.quantity}"


class RequestStatus(models.TextChoices):
    OPEN = "open", _("待发放")
    ISSUED = "issued", _("已出库")
    DELIVERED = "delivered", _("已签收")
    CANCELLED = "cancelled", _("已取消")


class SupplyRequestQuerySet(models.QuerySet["SupplyRequest"]):
    def visible_to(self, user: Any) -> "SupplyRequestQuerySet":
        return self.filter(warehouse__in=Warehouse.objects.visible_to(user))


class SupplyRequest(models.Model):
    """A post asks for supplies (a test point needs 500 tubes by 05:00)."""

    incident = models.ForeignKey(
        "incidents.Incident", on_delete=models.PROTECT, related_name="supply_requests"
    )
    warehouse = models.ForeignKey(Warehouse, on_delete=models.PROTECT, related_name="requests")
    item = models.ForeignKey(Item, on_delete=models.PROTECT, related_name="requests")
    quantity = models.PositiveIntegerField(_("数量"))
    needed_by = models.DateTimeField(_("需要时间"), null=True, blank=True)
    for_post = models.CharField(_("申领岗位"), max_length=100)
    place = models.ForeignKey(
        "places.Place", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    requested_at = models.DateTimeField(_("申领时间"), default=timezone.now)
    status = models.CharField(
        _("状态"), max_length=12, choices=RequestStatus.choices, default=RequestStatus.OPEN
    )
    issued_at = models.DateTimeField(_("出库时间"), null=True, blank=True)
    delivered_at = models.DateTimeField(_("签收时间"), null=True, blank=True)
    receipt_name = models.CharField(_("签收人"), max_length=50, blank=True)

    objects = SupplyRequestQuerySet.as_manager()

    class Meta:
        verbose_name = _("物资申领")
        verbose_name_plural = _("物资申领")
        ordering = ["needed_by", "pk"]

    def __str__(self) -> str:
        return f"{self.for_post} {self.item}×{self.quantity}"


class DeliveryRoundQuerySet(models.QuerySet["DeliveryRound"]):
    def visible_to(self, user: Any) -> "DeliveryRoundQuerySet":
        if not _may(user, "deliver_supplies") and not _may(user, "view_supplies"):
            return self.none()
        if _may(user, "manage_supplies"):  # the support team works county-wide
            return self
        return self.filter(_jurisdiction(user).q("estate__path"))


class DeliveryRound(models.Model):
    """One distribution of an item (蔬菜包) to the households of a sealed/controlled estate."""

    incident = models.ForeignKey(
        "incidents.Incident", on_delete=models.PROTECT, related_name="delivery_rounds"
    )
    estate = models.ForeignKey(
        "places.Place", verbose_name=_("小区"), on_delete=models.PROTECT, related_name="+"
    )
    item = models.ForeignKey(Item, verbose_name=_("物资"), on_delete=models.PROTECT)
    warehouse = models.ForeignKey(
        Warehouse, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    day = models.DateField(_("配送日期"))
    created_at = models.DateTimeField(default=timezone.now)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    objects = DeliveryRoundQuerySet.as_manager()

    class Meta:
        verbose_name = _("入户配送批次")
        verbose_name_plural = _("入户配送批次")
        ordering = ["-day", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["estate", "item", "day"], name="supplies_round_unique_day"
            )
        ]

    def __str__(self) -> str:
        return f"{self.estate} {self.item} {self.day}"


class HouseholdDeliveryQuerySet(models.QuerySet["HouseholdDelivery"]):
    def visible_to(self, user: Any) -> "HouseholdDeliveryQuerySet":
        if not _may(user, "deliver_supplies") and not _may(user, "view_supplies"):
            return self.none()
        if _may(user, "manage_supplies"):  # the support team works county-wide
            return self
        return self.filter(_jurisdiction(user).q("household__path"))


class HouseholdDelivery(models.Model):
    """A household's packages in a round, marked at the doorstep."""

    round = models.ForeignKey(DeliveryRound, on_delete=models.CASCADE, related_name="deliveries")
    household = models.ForeignKey("places.Place", on_delete=models.PROTECT, related_name="+")
    building = models.ForeignKey("places.Place", on_delete=models.PROTECT, related_name="+")
    stairwell = models.ForeignKey(
        "places.Place", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    people = models.PositiveSmallIntegerField(_("人数"), default=0)
    packages = models.PositiveSmallIntegerField(_("份数"))
    delivered_at = models.DateTimeField(_("送达时间"), null=True, blank=True)
    delivered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    client_id = models.CharField(max_length=64, unique=True, null=True, blank=True)
    help_request = models.ForeignKey(
        "helpdesk.HelpRequest",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="supply_deliveries",
    )

    objects = HouseholdDeliveryQuerySet.as_manager()

    class Meta:
        verbose_name = _("入户配送")
        verbose_name_plural = _("入户配送")
        ordering = ["household__path"]
        constraints = [
            models.UniqueConstraint(
                fields=["round", "household"], name="supplies_delivery_unique_household"
            )
        ]

    def __str__(self) -> str:
        return f"{self.household} ×{self.packages}"
