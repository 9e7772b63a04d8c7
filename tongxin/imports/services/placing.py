"""Creating many places at once for the import, through places.services.PlaceTree.

PlaceTree.child() saves one place at a time (an INSERT, an audit INSERT and a parent UPDATE
each); a first import of a county's spreadsheet creates thousands of households, which made
place creation half of the import's time. `BulkPlaceTree.children()` creates every missing
sibling of a level in one bulk INSERT, with one numchild UPDATE per parent and the audit
events in bulk, and keeps PlaceTree's cache and path allocation, so `find()` and `child()` see
what it made. (It belongs in places.services; it lives here until the places owner takes it.)
"""

from collections import Counter
from collections.abc import Iterable

from django.db import transaction
from django.db.models import F
from django.utils.translation import gettext as _

from tongxin.audit.models import AuditAction
from tongxin.audit.services import record_many
from tongxin.places.models import CHILD_KINDS, Place, PlaceKind
from tongxin.places.services import PlaceError, PlaceTree


class BulkPlaceTree(PlaceTree):
    def __init__(self) -> None:
        super().__init__()
        self._made_here: set[int] = set()

    def _next_path(self, parent: Place) -> str:
        """PlaceTree._allocate_path without its per-place parent UPDATE (done per batch)."""
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

    def children(self, wanted: Iterable[tuple[Place, str, str, str]]) -> list[Place]:
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
                address=f"{parent.address} {name}".strip(),
                depth=parent.depth + 1,
                path=self._next_path(parent),
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
