"""Creating and finding places. The import, the demo and the admin all come through here."""

from collections import Counter
from collections.abc import Iterable
from typing import Any

from django.db import transaction
from django.db.models import F
from django.utils.translation import gettext as _

from tongxin.audit.models import AuditAction
from tongxin.audit.services import record_many
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
    thousands of rows creates each level of new places in one bulk INSERT (with one numchild
    UPDATE per parent and the audit events in bulk) instead of treebeard's several queries per
    place.
    """

    def __init__(self) -> None:
        self._children: dict[int, dict[tuple[str, str], Place]] = {}
        self._next_step: dict[int, int] = {}
        self._made_here: set[int] = set()
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
        self.children([(parent, kind, key, name)], extra=extra)
        return self._load(parent)[(kind, key)]

    def children(
        self,
        wanted: Iterable[tuple[Place, str, str, str]],
        extra: dict[str, Any] | None = None,
    ) -> list[Place]:
        """Find or create each (parent, kind, key, name); the parents must be saved places.
        Returns the places created."""
        created: list[Place] = []
        added: Counter[int] = Counter()
        parents: dict[int, Place] = {}
        for parent, kind, key, name in wanted:
            if kind not in CHILD_KINDS[PlaceKind(parent.kind)]:
                raise PlaceError(
                    _("%(child)s 不能直接放在 %(parent)s 之下")
                    % {"child": PlaceKind(kind).label, "parent": PlaceKind(parent.kind).label}
                )
            siblings = self._load(parent)
            if (kind, key) in siblings:
                continue
            place = Place(
                parent=parent,
                kind=kind,
                key=key,
                name=name,
                address=_address(parent, name),
                depth=parent.depth + 1,
                path=self._next_path(parent),
                **(extra or {}),
            )
            siblings[(kind, key)] = place
            created.append(place)
            added[parent.pk] += 1
            parents[parent.pk] = parent
        if not created:
            return created
        Place.objects.bulk_create(created, batch_size=500)
        for place in created:
            self._made_here.add(place.pk)
            self._children[place.pk] = {}
        by_count: dict[int, list[int]] = {}
        for parent_pk, count in added.items():
            by_count.setdefault(count, []).append(parent_pk)
            parents[parent_pk].numchild += count
        for count, parent_pks in by_count.items():
            for start in range(0, len(parent_pks), 500):
                Place.objects.filter(pk__in=parent_pks[start : start + 500]).update(
                    numchild=F("numchild") + count
                )
        record_many((AuditAction.CREATE, p, p.audit_snapshot()) for p in created)
        self.created += len(created)
        return created

    def _next_path(self, parent: Place) -> str:
        step = self._next_step.get(parent.pk)
        if step is None:
            if parent.pk in self._made_here:
                step = 1  # created by this tree a moment ago: no children yet
            else:
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
        return Place._get_path(parent.path, parent.depth + 1, step)


def child_place(parent: Place, kind: str, key: str, name: str, **extra: Any) -> Place:
    """Find or create one child (for single edits; use PlaceTree for many)."""
    return PlaceTree().child(parent, kind, key, name, **extra)
