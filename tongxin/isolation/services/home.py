"""Home isolation and home health monitoring (居家隔离 / 居家健康监测) on the grid's list:
per household, a daily check-in, the tests due and the door seal."""

import datetime as dt
from collections import defaultdict
from typing import Any

from django.db import IntegrityError, transaction
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from tongxin.accounts.permissions import Perm, has_perm
from tongxin.incidents.models import Incident
from tongxin.isolation.models import HomeCheckIn, HomeWatch, WatchKind
from tongxin.isolation.services import IsolationError, NotAllowed
from tongxin.isolation.services.rules import level_rule
from tongxin.people.models import Person


def keeps_at_home(incident: Incident, level: str) -> bool:
    """Whether the incident's edition isolates the level at home, not in a site (e.g. 次密接
    under the 9th)."""
    rule = level_rule(incident.policy_edition, level)
    return not rule.get("centralized_days") and bool(rule.get("home_days"))


def start_home_isolation(
    incident: Incident, person: Person, *, level: str, start: dt.datetime
) -> HomeWatch:
    """Home isolation where the edition keeps a level at home (e.g. 次密接 under the 9th): the
    days and home test days count from `start` (the last exposure). Once per person: a current
    watch is returned as it is."""
    rule = level_rule(incident.policy_edition, level)
    days = int(rule.get("home_days") or 0)
    if days <= 0:
        raise IsolationError(_("该类人员按现行方案不需居家隔离"))
    first = timezone.localdate(start)
    existing = HomeWatch.objects.current().filter(incident=incident, person=person).first()
    if existing is not None:
        return existing
    return HomeWatch.objects.create(
        incident=incident, person=person, household=person.household,
        kind=rule.get("home_kind") or WatchKind.HOME_ISOLATION, level=level, starts_on=first,
        ends_on=first + dt.timedelta(days=days),
        test_dates=[
            (first + dt.timedelta(days=int(d))).isoformat() for d in rule.get("home_test_days", [])
        ],
    )  # fmt: skip


def feed_home_list_from_tracing(incident: Incident) -> dict[str, int]:
    """Tracing's confirmed contacts whose edition keeps them at home go on their grid's home
    list (once each). A person outside the registry has no grid: counted as skipped."""
    from tongxin.tracing.models import Measure
    from tongxin.tracing.services import contacts_due_for_isolation

    counts = {"added": 0, "already": 0, "skipped": 0}
    due = contacts_due_for_isolation(incident, measure=Measure.HOME_ISOLATION)
    people = Person.objects.in_bulk([d.person_id for d in due if d.person_id])
    current = set(
        HomeWatch.objects.current()
        .filter(incident=incident, person_id__in=list(people))
        .values_list("person_id", flat=True)
    )
    for d in due:
        person = people.get(d.person_id) if d.person_id else None
        if person is None or person.household_id is None or not keeps_at_home(incident, d.level):
            counts["skipped"] += 1
        elif person.pk in current:
            counts["already"] += 1
        else:
            start_home_isolation(incident, person, level=d.level, start=d.last_exposure)
            current.add(person.pk)
            counts["added"] += 1
    return counts


def grid_list(user: Any, on: dt.date, incident: Incident | None = None) -> list[dict[str, Any]]:
    """Current home watches the user may see, grouped by household, with today's check-in and
    whether a test is due today."""
    qs = HomeWatch.objects.visible_to(user).current().filter(ends_on__gte=on)
    if incident is not None:
        qs = qs.filter(incident=incident)
    watches = list(qs.select_related("person", "household").order_by("household__path", "pk"))
    done = set(
        HomeCheckIn.objects.filter(watch__in=watches, date=on).values_list("watch_id", flat=True)
    )
    groups: dict[int, dict[str, Any]] = {}
    members: dict[int, list[dict[str, Any]]] = defaultdict(list)
    for w in watches:
        groups.setdefault(
            w.household_id, {"household": w.household, "door_sealed": False, "people": []}
        )
        groups[w.household_id]["door_sealed"] |= w.door_sealed
        members[w.household_id].append(
            {
                "watch": w,
                "checked_in": w.pk in done,
                "test_due": on.isoformat() in (w.test_dates or []),
                "days_left": (w.ends_on - on).days,
            }
        )
    for key, group in groups.items():
        group["people"] = members[key]
    return list(groups.values())


def visible_watch(user: Any, pk: int) -> HomeWatch:
    watch = HomeWatch.objects.visible_to(user).select_related("person").filter(pk=pk).first()
    if watch is None:
        raise Http404
    return watch


def check_in(
    user: Any, watch: HomeWatch, *, temperature: Any, well: bool = True, note: str = "",
    on: dt.date | None = None,
) -> HomeCheckIn:  # fmt: skip
    if not has_perm(user, Perm.KEEP_HOME_WATCH):
        raise NotAllowed(_("您没有登记居家打卡的权限"))
    from tongxin.isolation.services.stays import parse_temperature

    on = on or timezone.localdate()
    value = parse_temperature(temperature)
    try:
        with transaction.atomic():
            return HomeCheckIn.objects.create(
                watch=watch, date=on, temperature=value, well=well, note=note[:200],
                at=timezone.now(), by=user,
            )  # fmt: skip
    except IntegrityError as exc:
        raise IsolationError(_("今天已经打过卡")) from exc


def set_door_seal(user: Any, watch: HomeWatch, sealed: bool) -> int:
    """The door seal is per household: every current watch of the household follows."""
    if not has_perm(user, Perm.KEEP_HOME_WATCH):
        raise NotAllowed(_("您没有管理门磁/封条的权限"))
    watches = HomeWatch.objects.current().filter(household_id=watch.household_id)
    count = 0
    for w in watches:
        w.door_sealed = sealed
        w.save(update_fields=["door_sealed"])
        count += 1
    return count


def end_finished(on: dt.date) -> int:
    return HomeWatch.objects.current().filter(ends_on__lt=on).update(ended_at=timezone.now())
