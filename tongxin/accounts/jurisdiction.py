"""Where a user may see and act: the county, or their unit's assigned places and below.

Every model's `visible_to(user)` builds on `jurisdiction_of(user).q(<path of its place>)`, so
scoping is decided here once and never by hand in a view.
"""

from dataclasses import dataclass
from typing import Any

from django.db.models import Q

from tongxin.accounts.models import Role

# Roles whose work is county-wide by nature: the command post, the hotline, tracing, labs.
# Not the system administrator: managing accounts and settings needs nobody's personal data.
COUNTY_WIDE_ROLES = {
    Role.COMMAND_POST,
    Role.INVESTIGATOR,
    Role.HELPDESK,
    Role.LAB_LIAISON,
    Role.TRANSFER,
}


@dataclass(frozen=True)
class Jurisdiction:
    everywhere: bool
    paths: tuple[str, ...] = ()

    def q(self, path_field: str) -> Q:
        if self.everywhere:
            return Q()
        if not self.paths:
            return Q(pk__in=[])
        q = Q()
        for path in self.paths:
            q |= Q(**{f"{path_field}__startswith": path})
        return q

    def contains_path(self, path: str) -> bool:
        return self.everywhere or any(path.startswith(p) for p in self.paths)


NOWHERE = Jurisdiction(everywhere=False)


def _minimal(paths: list[str]) -> tuple[str, ...]:
    """Drop paths already covered by an ancestor in the list."""
    kept: list[str] = []
    for path in sorted(set(paths)):
        if not any(path.startswith(k) for k in kept):
            kept.append(path)
    return tuple(kept)


def jurisdiction_of(user: Any) -> Jurisdiction:
    if user is None or not getattr(user, "is_authenticated", False) or not user.is_active:
        return NOWHERE
    cached = getattr(user, "_tongxin_jurisdiction", None)
    if cached is not None:
        return cached
    # The superuser flag widens nothing: where a user works comes from the role and unit only.
    if user.role in COUNTY_WIDE_ROLES:
        result = Jurisdiction(everywhere=True)
    elif user.unit_id:
        from tongxin.units.models import UnitAssignment

        paths = UnitAssignment.objects.active().filter(unit_id=user.unit_id)
        result = Jurisdiction(False, _minimal(list(paths.values_list("place__path", flat=True))))
    else:
        result = NOWHERE
    user._tongxin_jurisdiction = result
    return result


def administered(model: Any, user: Any) -> Any:
    """What the user may administer of accounts, units and places (never residents' data).

    The system administrator keeps the county's accounts, units and place tree, so these come
    county-wide to that role, though the role has no jurisdiction over personal data (its
    `jurisdiction_of` is nowhere and it holds no personal-data permission). Everyone else
    administers what they may see."""
    from tongxin.accounts.models import Role

    if user is not None and getattr(user, "role", None) == Role.SYSADMIN and user.is_active:
        return model.objects.all()
    return model.objects.visible_to(user)
