"""Who a round expects: the residents living under its scope."""

import datetime as dt

from django.db.models import Q, QuerySet

from tongxin.people.models import Person, PersonQuerySet, ResidenceStatus
from tongxin.places.models import Place
from tongxin.testing.models import Exemption, TestRound

# Statuses that mean the person lives there now. 登记未常住 and 外出 are registered but not
# expected at a point.
EXPECTED_STATUSES = (ResidenceStatus.RESIDENT, ResidenceStatus.TEMPORARY)


def minimal_paths(paths: list[str]) -> list[str]:
    """The paths not already covered by another one in the list (an ancestor)."""
    kept: list[str] = []
    for path in sorted(set(paths)):
        if not any(path.startswith(k) for k in kept):
            kept.append(path)
    return kept


def scope_paths(round: TestRound) -> list[str]:
    """The round's scope as minimal place paths (an area inside another adds nothing)."""
    return minimal_paths(list(round.areas.values_list("place__path", flat=True)))


def scope_q(round: TestRound, path_field: str) -> Q:
    paths = scope_paths(round)
    if not paths:
        return Q(pk__in=[])
    q = Q()
    for path in paths:
        q |= Q(**{f"{path_field}__startswith": path})
    return q


def stay_home_q(round: TestRound, path_field: str, at: dt.datetime | None = None) -> Q:
    """Places (under `path_field`) in a zone, in force now (or at `at`), whose residents stay
    home and are sampled at the door (封控区: `leave_home` false or `door_to_door` in the
    edition): the point planner and the reminders leave them out. Q(pk__in=[]) when none."""
    from django.utils import timezone

    from tongxin.zones.models import ZoneDesignation
    from tongxin.zones.services import kind_of

    q = Q(pk__in=[])
    designations = (
        ZoneDesignation.objects.in_force(at or timezone.now())
        .filter(incident_id=round.incident_id)
        .select_related("place", "incident__policy_edition")
    )
    for designation in designations:
        kind = kind_of(designation)
        if kind.leave_home is False or kind.door_to_door:
            q |= Q(**{f"{path_field}__startswith": designation.place.path})
    return q


def in_scope(round: TestRound, place: Place) -> bool:
    return any(place.path.startswith(p) for p in scope_paths(round))


def should_test(round: TestRound) -> PersonQuerySet:
    """Residents living under the round's scope (常住 and 暂住).

    Exempted people are still in this set: exemptions are reported beside it (`exempted`), so
    "should be tested" never shrinks quietly. Not scoped to a user: callers add
    `.visible_to(user)` for anything a person sees."""
    return Person.objects.filter(
        scope_q(round, "household__path"), residence_status__in=EXPECTED_STATUSES
    )


def exempted(round: TestRound) -> QuerySet[Exemption]:
    """The round's exemptions (with their person), whatever the reason."""
    return Exemption.objects.filter(round=round).select_related("person")
