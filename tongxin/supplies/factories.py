"""Test helpers for supplies (test-only)."""

from tongxin.supplies.models import Item, ItemCategory, Warehouse


def item(name: str = "N95口罩", **kw: object) -> Item:
    kw.setdefault("category", ItemCategory.PPE)
    return Item.objects.create(name=name, **kw)  # type: ignore[arg-type]


def warehouse(name: str = "县应急物资仓库", **kw: object) -> Warehouse:
    return Warehouse.objects.create(name=name, **kw)  # type: ignore[arg-type]
