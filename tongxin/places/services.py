"""Creating and finding places. The import, the demo and the admin all come through here."""

import re
from collections import Counter, defaultdict
from collections.abc import Iterable
from typing import Any

from django.db import transaction
from django.db.models import Count, F
from django.db.models.functions import Substr
from django.utils.translation import gettext as _

from tongxin.accounts.jurisdiction import jurisdiction_of
from tongxin.audit.models import AuditAction
from tongxin.audit.services import record_many
from tongxin.places.models import CHILD_KINDS, Place, PlaceKind, PlaceQuerySet


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


_DIGITS = re.compile(r"(\d+)")


def natural_key(place: Place) -> tuple[Any, ...]:
    """Buildings 2 before 10, rooms 101 before 1001: how people on the ground read them."""
    parts = _DIGITS.split(place.key or place.name)
    return tuple((0, int(p), "") if p.isdigit() else (1, 0, p) for p in parts if p), place.name


def visible_roots(user: Any) -> PlaceQuerySet:
    """Where the user's tree starts: the county for county-wide roles, else their unit's places."""
    places = Place.objects.visible_to(user)
    jurisdiction = jurisdiction_of(user)
    if jurisdiction.everywhere:
        return places.filter(depth=1)
    return places.filter(path__in=jurisdiction.paths)


def visible_children(user: Any, place: Place) -> list[Place]:
    """The place's children the user may see, in natural order."""
    return sorted(Place.objects.visible_to(user).filter(parent=place), key=natural_key)


def by_parent(places: Iterable[Place]) -> dict[str, list[Place]]:
    """Places grouped into siblings (by their parent's path)."""
    groups: dict[str, list[Place]] = defaultdict(list)
    for place in places:
        groups[place.path[: -Place.steplen]].append(place)
    return groups


def count_under(places: Iterable[Place], rows: Any) -> dict[int, int]:
    """Count `rows` (a queryset with a `path` expression to group by) under each place: one
    query per group of siblings. `rows(parent_path, length)` returns the `prefix`/`n` rows."""
    result: dict[int, int] = {}
    for parent_path, siblings in by_parent(places).items():
        length = len(siblings[0].path)
        wanted = {p.path: p.pk for p in siblings}
        for row in rows(parent_path, length):
            if row["prefix"] in wanted:
                result[wanted[row["prefix"]]] = row["n"]
    return result


def household_counts(places: Iterable[Place], user: Any) -> dict[int, int]:
    """Households under each place that the user may see."""

    def rows(parent_path: str, length: int) -> Any:
        return (
            Place.objects.visible_to(user)
            .filter(kind=PlaceKind.HOUSEHOLD, path__startswith=parent_path)
            .order_by()
            .annotate(prefix=Substr("path", 1, length))
            .values("prefix")
            .annotate(n=Count("id"))
        )

    return count_under(places, rows)


def child_place(parent: Place, kind: str, key: str, name: str, **extra: Any) -> Place:
    """Find or create one child (for single edits; use PlaceTree for many)."""
    return PlaceTree().child(parent, kind, key, name, **extra)


@transaction.atomic
def setup_county(name: str, code: str) -> tuple[Place, bool]:
    """Create the install's county (the root of the place tree). (county, created).

    Running it again with the same name and code changes nothing; any other values, or a
    second county, are refused: the county is the root everything else hangs from."""
    from tongxin.places.divisions import check_county_code

    name = clean_name(name)
    if not name:
        raise PlaceError(_("请填写县（市、区）名称"))
    code = check_county_code(code)
    roots = list(Place.objects.select_for_update().filter(depth=1))
    if roots:
        root = roots[0]
        if (
            len(roots) == 1
            and root.kind == PlaceKind.COUNTY
            and root.name == name
            and (root.code == code)
        ):
            return root, False
        raise PlaceError(
            _("本系统已设置县（市、区）“%(name)s”（代码 %(code)s），不能改为或另建其他县")
            % {"name": root.name, "code": root.code or "-"}
        )
    return create_county(name, code), True


SETUP_COMMAND = "tongxin setup county --name 县名 --code 代码"


def no_county_message() -> str:
    """What to tell someone who arrives before the county is set up: the command to run."""
    return _("系统中还没有县（市、区）。请先运行：%(cmd)s") % {"cmd": SETUP_COMMAND}


def clean_name(value: str) -> str:
    return re.sub(r"\s+", "", value or "")


def find_node(raw: str, kind: str | None = None) -> Place | None:
    """A place named on a command line: its id, its full address or its name (of `kind`)."""
    places = Place.objects.filter(kind=kind) if kind else Place.objects.all()
    raw = (raw or "").strip()
    if not raw:
        return None
    if raw.isdigit():
        return places.filter(pk=int(raw)).first()
    return places.filter(address=raw).first() or places.filter(name=raw).first()
