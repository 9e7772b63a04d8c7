"""Creating and finding places. The import, the demo and the admin all come through here."""

from typing import Any

from django.db import transaction
from django.db.models import F
from django.utils.translation import gettext as _

from tongxin.places.models import CHILD_KINDS, Place, PlaceKind


class PlaceError(ValueError):
    pass


def _address(parent: Place | None, name: str) -> str:
    if parent is None:
        return name
    return f"{parent.address} {name}".strip()


def create_county(name: str, code: str = "", **extra: Any) -> Place:
    existing = Place.objects.filter(depth=1, kind=PlaceKind.COUNTY, key=name).first()
    if existing:
        return existing
    root = Place(kind=PlaceKind.COUNTY, name=name, key=name, code=code, address=name, **extra)
    return Place.objects.add_root(instance=root)


def county() -> Place | None:
    """The install's county: the single root of the tree."""
    roots = list(Place.objects.filter(depth=1)[:2])
    return roots[0] if len(roots) == 1 else None


class PlaceTree:
    """Finds or creates children by (kind, key) under a parent, many at a time.

    Keeps what it has seen in memory and allocates materialized paths itself, so an import of
    thousands of rows makes one query per new place instead of treebeard's several.
    """

    def __init__(self) -> None:
        self._children: dict[int, dict[tuple[str, str], Place]] = {}
        self._next_step: dict[int, int] = {}
        self.created = 0

    def _load(self, parent: Place) -> dict[tuple[str, str], Place]:
        children = self._children.get(parent.pk)
        if children is None:
            children = {(p.kind, p.key): p for p in Place.objects.filter(parent=parent)}
            self._children[parent.pk] = children
        return children

    def find(self, parent: Place, kind: str, key: str) -> Place | None:
        return self._load(parent).get((kind, key))

    def child(self, parent: Place, kind: str, key: str, name: str, **extra: Any) -> Place:
        if kind not in CHILD_KINDS[PlaceKind(parent.kind)]:
            raise PlaceError(
                _("%(child)s 不能直接放在 %(parent)s 之下")
                % {"child": PlaceKind(kind).label, "parent": PlaceKind(parent.kind).label}
            )
        children = self._load(parent)
        found = children.get((kind, key))
        if found is not None:
            return found
        place = Place(
            parent=parent,
            kind=kind,
            key=key,
            name=name,
            address=_address(parent, name),
            depth=parent.depth + 1,
            path=self._allocate_path(parent),
            **extra,
        )
        place.save()
        children[(kind, key)] = place
        self.created += 1
        return place

    def _allocate_path(self, parent: Place) -> str:
        step = self._next_step.get(parent.pk)
        if step is None:
            with transaction.atomic():
                # Lock the parent so a concurrent writer cannot allocate the same path.
                locked = Place.objects.select_for_update().get(pk=parent.pk)
                last = (
                    Place.objects.filter(parent=locked)
                    .order_by("-path")
                    .values_list("path", flat=True)
                    .first()
                )
            step = Place._str2int(last[-Place.steplen :]) + 1 if last else 1
        self._next_step[parent.pk] = step + 1
        Place.objects.filter(pk=parent.pk).update(numchild=F("numchild") + 1)
        parent.numchild += 1
        return Place._get_path(parent.path, parent.depth + 1, step)


def child_place(parent: Place, kind: str, key: str, name: str, **extra: Any) -> Place:
    """Find or create one child (for single edits; use PlaceTree for many)."""
    return PlaceTree().child(parent, kind, key, name, **extra)
