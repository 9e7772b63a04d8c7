"""Designating and lifting zones, the effective zone of places, and lifting proposals.

Views, the API, commands and the demo call these; nothing else writes zones.

Time: every function takes `at` (an aware datetime, now by default) so history and what-ifs
use the same code as the present. Days are counted in calendar days of the county's time zone,
the way the policy texts count them (连续14天).
"""

import datetime as dt
import logging
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Count, Max, OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce
from django.urls import NoReverseMatch, reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from tongxin.audit.context import current_actor
from tongxin.incidents.models import Incident
from tongxin.people.models import Person
from tongxin.places.models import Place, PlaceKind
from tongxin.units.models import Unit, UnitAssignment
from tongxin.zones import kinds as zk
from tongxin.zones.models import (
    AreaTestRound,
    DesignationProposal,
    PositiveFinding,
    ProposalDismissal,
    ProposalStatus,
    ZoneDesignation,
    ZoneEnd,
    ancestor_paths,
)

log = logging.getLogger(__name__)

# Above this many distinct ancestor paths, effective_zones fetches the designations of the
# places' common subtree instead of listing every path (still one query).
_MAX_PATHS_IN_QUERY = 500


class ZoneError(ValueError):
    pass


@dataclass(frozen=True)
class ZoneInfo:
    """The zone in force on a place: the designation that decides it and how it reads now."""

    designation: ZoneDesignation
    kind: zk.ZoneKind
    inherited: bool  # designated on a place above the one asked about

    @property
    def code(self) -> str:
        return self.kind.code

    @property
    def name(self) -> str:
        return self.kind.name

    @property
    def rank(self) -> int:
        return self.kind.rank

    @property
    def colour(self) -> str:
        return self.kind.colour

    @property
    def place(self) -> Place:
        return self.designation.place

    @property
    def since(self) -> dt.datetime:
        return self.designation.effective_from


def can_manage_zones(user: Any) -> bool:
    """Designating, changing and lifting zones (and deciding proposals)."""
    from tongxin.accounts.permissions import Perm, has_perm

    return has_perm(user, Perm.MANAGE_ZONES)


def _now(at: dt.datetime | None) -> dt.datetime:
    if at is None:
        return timezone.now()
    if timezone.is_naive(at):
        raise ZoneError(_("时间必须带时区"))
    return at


def _days_between(earlier: dt.datetime, later: dt.datetime) -> int:
    return (timezone.localdate(later) - timezone.localdate(earlier)).days


def paths_of(path: str) -> set[str]:
    """The path and every ancestor path."""
    return ancestor_paths([path]) | {path}


def kind_of(designation: ZoneDesignation) -> zk.ZoneKind:
    """The designation's kind as the incident's edition now in force reads it."""
    return zk.resolve(
        designation.incident.policy_edition,
        designation.kind,
        designation.kind_rank,
        designation.kind_name,
    )


# --- effective zone -------------------------------------------------------------------------


def _in_force(at: dt.datetime, incident: Incident | None) -> QuerySet[ZoneDesignation]:
    qs = ZoneDesignation.objects.in_force(at).select_related("place", "incident__policy_edition")
    return qs.filter(incident=incident) if incident is not None else qs


InForce = dict[str, list[tuple[ZoneDesignation, zk.ZoneKind]]]


def in_force_by_path(at: dt.datetime | None = None, *, incident: Incident) -> InForce:
    """Every designation of the incident in force at `at`, with its kind, by place path: what
    `effective_zones(..., in_force=…)` takes to answer for many places without a query."""
    by_path: InForce = defaultdict(list)
    for designation in _in_force(_now(at), incident):
        by_path[designation.place.path].append((designation, kind_of(designation)))
    return dict(by_path)


def effective_zones(
    places: Iterable[Place],
    at: dt.datetime | None = None,
    *,
    incident: Incident | None = None,
    in_force: InForce | None = None,
) -> dict[int, ZoneInfo]:
    """The effective zone of each place (missing when none), in one query (none when the
    designations in force at `at` are given, from `in_force_by_path`).

    A place's effective zone is the most restrictive designation in force on it or on any
    place above it: ancestors are the prefixes of its materialized path.
    """
    at = _now(at)
    places = list(places)
    if not places:
        return {}
    by_path: InForce
    if in_force is not None:
        by_path = in_force
    else:
        wanted: set[str] = set()
        for place in places:
            wanted |= paths_of(place.path)
        qs = _in_force(at, incident)
        if len(wanted) <= _MAX_PATHS_IN_QUERY:
            qs = qs.filter(place__path__in=sorted(wanted))
        else:
            common = _common_path([p.path for p in places])
            qs = qs.filter(
                Q(place__path__startswith=common)
                | Q(place__path__in=sorted(ancestor_paths([common])))
            )
        by_path = defaultdict(list)
        for designation in qs:
            by_path[designation.place.path].append((designation, kind_of(designation)))
    result: dict[int, ZoneInfo] = {}
    for place in places:
        best: tuple[tuple[int, int], ZoneDesignation, zk.ZoneKind] | None = None
        for path in paths_of(place.path):
            for designation, kind in by_path.get(path, ()):
                # Most restrictive wins; at equal rank the nearest designation explains it best.
                key = (kind.rank, len(path))
                if best is None or key > best[0]:
                    best = (key, designation, kind)
        if best is not None:
            _key, designation, kind = best
            result[place.pk] = ZoneInfo(designation, kind, designation.place_id != place.pk)
    return result


def _common_path(paths: list[str]) -> str:
    step = Place.steplen
    common = paths[0]
    for path in paths[1:]:
        n = 0
        while n < min(len(common), len(path)) and common[n] == path[n]:
            n += 1
        common = common[:n]
    return common[: len(common) - len(common) % step]


def effective_zone(
    place: Place, at: dt.datetime | None = None, *, incident: Incident | None = None
) -> ZoneInfo | None:
    """The zone in force on a place at `at`: "what was this building at 3 a.m. on 7 March"."""
    return effective_zones([place], at, incident=incident).get(place.pk)


# --- designating, lifting, changing ---------------------------------------------------------


def _check_incident(incident: Incident, at: dt.datetime) -> None:
    if not incident.is_open:
        raise ZoneError(_("响应事件已结束，不能再划定或调整区域"))
    if at < incident.started_at:
        raise ZoneError(_("生效时间不能早于响应事件开始时间"))


def _kind(incident: Incident, code: str) -> zk.ZoneKind:
    kind = zk.kind_by_code(incident.policy_edition, code)
    if kind is None:
        names = "、".join(f"{k.name}({k.code})" for k in zk.zone_kinds(incident.policy_edition))
        raise ZoneError(
            _("“%(code)s”不是现行方案中的区域类型，可选：%(names)s")
            % {"code": code, "names": names}
        )
    return kind


def _reason(text: str) -> str:
    text = (text or "").strip()
    if not text:
        raise ZoneError(_("请填写理由"))
    return text


def _decider(decided_by: Any) -> Any:
    return decided_by if decided_by is not None else current_actor().user


def _link(designation: ZoneDesignation) -> str:
    try:
        return reverse("zones:detail", args=[designation.pk])
    except NoReverseMatch:  # the zones pages are not mounted (e.g. a command-line only setup)
        return ""


def _notify(kind: str, designation: ZoneDesignation, extra: dict[str, Any]) -> None:
    """Tell the units responsible for the affected estates, once the change is committed.

    Delivery never blocks or undoes the decision: a failing notification is logged.
    """
    units = list(units_in_zone(designation))
    if not units:
        return
    # The message is written in the install's language (notifications.render): the zone's name
    # and rules too, whatever language the person deciding reads the pages in.
    with translation.override(settings.LANGUAGE_CODE):
        zone_name = kind_of(designation).name
        rules = zk.rules_summary(kind_of(designation))
    context = {
        "incident": designation.incident.name,
        "place": str(designation.place),
        "zone": zone_name,
        "rules": rules,
        "since": timezone.localtime(designation.effective_from).strftime("%Y-%m-%d %H:%M"),
        "designation_id": designation.pk,
        **extra,
    }
    link = _link(designation)
    incident = designation.incident

    def send() -> None:
        from tongxin.notifications.services import notify

        notify(kind, units=units, context=context, link=link, incident=incident)

    transaction.on_commit(send, robust=True)


def _fresh_incident(incident: Incident) -> Incident:
    return Incident.objects.select_related("policy_edition").get(pk=incident.pk)


def _overlapping(incident: Incident, place: Place, at: dt.datetime) -> ZoneDesignation | None:
    return (
        ZoneDesignation.objects.filter(incident=incident, place=place)
        .filter(Q(effective_until__isnull=True) | Q(effective_until__gt=at))
        .first()
    )


def designate_zone(
    place: Place,
    kind_code: str,
    incident: Incident,
    *,
    at: dt.datetime | None = None,
    reason: str,
    decided_by: Any = None,
) -> ZoneDesignation:
    """Designate a place (any level) a zone of the incident's edition from `at`."""
    at = _now(at)
    reason = _reason(reason)
    with transaction.atomic():
        incident = _fresh_incident(incident)
        _check_incident(incident, at)
        kind = _kind(incident, kind_code)
        # One designation decision per place at a time: the second waits and then sees the first.
        place = Place.objects.select_for_update().get(pk=place.pk)
        existing = _overlapping(incident, place, at)
        if existing is not None:
            raise ZoneError(
                _("%(place)s 在该时间已划定为%(zone)s，请使用“调整”或先解除")
                % {"place": place, "zone": kind_of(existing).name}
            )
        try:
            with transaction.atomic():
                designation = ZoneDesignation.objects.create(
                    incident=incident,
                    place=place,
                    kind=kind.code,
                    kind_name=kind.name,
                    kind_rank=kind.rank,
                    effective_from=at,
                    reason=reason,
                    decided_by=_decider(decided_by),
                    recorded_by=current_actor().user,
                )
        except IntegrityError as exc:  # a concurrent writer got there first
            raise ZoneError(
                _("%(place)s 刚刚已被他人划定，请刷新后再试") % {"place": place}
            ) from exc
        _notify("zone_designated", designation, {"reason": reason, "previous_zone": ""})
    return designation


def _lock_active(designation: ZoneDesignation) -> ZoneDesignation:
    Place.objects.select_for_update().get(pk=designation.place_id)
    locked = (
        ZoneDesignation.objects.select_for_update()
        .select_related("place", "incident__policy_edition")
        .get(pk=designation.pk)
    )
    if locked.effective_until is not None:
        raise ZoneError(_("该区域划定已经解除或调整过"))
    return locked


def _close(
    designation: ZoneDesignation,
    at: dt.datetime,
    how: str,
    reason: str,
    decided_by: Any,
) -> None:
    if at < designation.effective_from:
        raise ZoneError(_("解除/调整时间不能早于生效时间"))
    designation.effective_until = at
    designation.ended_how = how
    designation.end_reason = reason
    designation.ended_decided_by = _decider(decided_by)
    designation.ended_recorded_by = current_actor().user
    designation.save()


def lift_zone(
    designation: ZoneDesignation,
    at: dt.datetime | None = None,
    reason: str = "",
    decided_by: Any = None,
) -> ZoneDesignation:
    """Lift a zone from `at`. The designation keeps its history; only its span closes."""
    at = _now(at)
    reason = _reason(reason)
    with transaction.atomic():
        locked = _lock_active(designation)
        _check_incident(locked.incident, at)
        _close(locked, at, ZoneEnd.LIFTED, reason, decided_by)
        _notify(
            "zone_lifted",
            locked,
            {"reason": reason, "until": timezone.localtime(at).strftime("%Y-%m-%d %H:%M")},
        )
    return locked


def change_zone(
    designation: ZoneDesignation,
    kind_code: str,
    at: dt.datetime | None = None,
    reason: str = "",
    decided_by: Any = None,
) -> ZoneDesignation:
    """Upgrade or downgrade: close the designation and open the new one, in one transaction."""
    at = _now(at)
    reason = _reason(reason)
    with transaction.atomic():
        old = _lock_active(designation)
        incident = old.incident
        _check_incident(incident, at)
        kind = _kind(incident, kind_code)
        previous = kind_of(old)
        if kind.code == previous.code:
            raise ZoneError(_("新的区域类型与现在相同"))
        _close(old, at, ZoneEnd.REPLACED, reason, decided_by)
        new = ZoneDesignation.objects.create(
            incident=incident,
            place=old.place,
            kind=kind.code,
            kind_name=kind.name,
            kind_rank=kind.rank,
            effective_from=at,
            reason=reason,
            decided_by=_decider(decided_by),
            recorded_by=current_actor().user,
            supersedes=old,
        )
        with translation.override(settings.LANGUAGE_CODE):
            previous_name = kind_of(old).name
        _notify("zone_designated", new, {"reason": reason, "previous_zone": previous_name})
    return new


def units_in_zone(designation: ZoneDesignation, on: dt.date | None = None) -> QuerySet[Unit]:
    """Units with an active assignment on the designated place, above it or below it."""
    path = designation.place.path
    assignments = UnitAssignment.objects.active(on).filter(
        Q(place__path__startswith=path) | Q(place__path__in=sorted(ancestor_paths([path])))
    )
    return Unit.objects.filter(pk__in=assignments.values("unit_id")).order_by("name")


def zone_history(place: Place, incident: Incident | None = None) -> QuerySet[ZoneDesignation]:
    """Every designation ever made on the place itself, newest first."""
    qs = ZoneDesignation.objects.filter(place=place).select_related(
        "incident__policy_edition", "decided_by", "recorded_by", "ended_decided_by"
    )
    return qs.filter(incident=incident) if incident is not None else qs


# --- evidence: positives and whole-area rounds ----------------------------------------------


def record_positive(
    incident: Incident,
    place: Place,
    found_at: dt.datetime,
    *,
    source: str = "",
    reference: str = "",
) -> PositiveFinding:
    """A positive found at a place: resets the lifting clock of every zone above it."""
    found_at = _now(found_at)
    return PositiveFinding.objects.create(
        incident=incident,
        place=place,
        found_at=found_at,
        source=source.strip(),
        reference=reference.strip(),
        recorded_by=current_actor().user,
    )


def record_area_round(
    incident: Incident,
    place: Place,
    completed_at: dt.datetime,
    *,
    all_negative: bool,
    reference: str = "",
) -> AreaTestRound:
    """A whole-area testing round of a place completed (covers every place under it)."""
    completed_at = _now(completed_at)
    return AreaTestRound.objects.create(
        incident=incident,
        place=place,
        completed_at=completed_at,
        all_negative=all_negative,
        reference=reference.strip(),
        recorded_by=current_actor().user,
    )


@dataclass(frozen=True)
class LiftingStatus:
    """Where a zone stands against its edition's lifting conditions at a moment."""

    designation: ZoneDesignation
    kind: zk.ZoneKind
    at: dt.datetime
    last_positive_at: dt.datetime | None
    days_since_positive: int | None  # None: no positive found under the place
    days_clear: int  # since the later of the last positive and the designation
    required_days: int | None  # None: the edition has no lifting rule
    round_window_days: int | None
    latest_round: AreaTestRound | None  # latest whole-area round covering it, inside the window
    dismissed: bool
    target: zk.ZoneKind | None  # the kind to downgrade to; None: lift

    @property
    def days_ok(self) -> bool:
        return self.required_days is not None and self.days_clear >= self.required_days

    @property
    def days_to_go(self) -> int | None:
        if self.required_days is None:
            return None
        return max(0, self.required_days - self.days_clear)

    @property
    def round_ok(self) -> bool:
        return self.latest_round is not None and self.latest_round.all_negative

    @property
    def conditions_met(self) -> bool:
        return self.days_ok and self.round_ok

    @property
    def proposed(self) -> bool:
        return self.conditions_met and not self.dismissed

    @property
    def action(self) -> str:
        return "downgrade" if self.target is not None else "lift"


def _rule_for(designation: ZoneDesignation, kind: zk.ZoneKind) -> tuple[int, int] | None:
    # A kind may carry its own "lifting" rule; otherwise the edition's zone_lifting applies.
    own = kind.rules.get("lifting") if kind.rules else None
    if isinstance(own, dict) and {"days_without_new_case", "negative_round_within_days"} <= set(
        own
    ):
        return int(own["days_without_new_case"]), int(own["negative_round_within_days"])
    return zk.lifting_rule(designation.incident.policy_edition)


def lifting_statuses(
    designations: Iterable[ZoneDesignation], at: dt.datetime | None = None
) -> dict[int, LiftingStatus]:
    """Lifting status of many designations in a bounded number of queries (three)."""
    at = _now(at)
    designations = list(designations)
    if not designations:
        return {}
    incident_ids = {d.incident_id for d in designations}
    rules = {d.pk: _rule_for(d, kind_of(d)) for d in designations}
    longest_window = max((r[1] for r in rules.values() if r), default=0)

    positives: dict[int, list[tuple[str, dt.datetime]]] = defaultdict(list)
    rows = (
        PositiveFinding.objects.filter(incident_id__in=incident_ids, found_at__lte=at)
        .order_by()
        .values("incident_id", "place__path")
        .annotate(last=Max("found_at"))
    )
    for row in rows:
        positives[row["incident_id"]].append((row["place__path"], row["last"]))

    rounds: dict[int, list[AreaTestRound]] = defaultdict(list)
    earliest = timezone.localtime(at) - dt.timedelta(days=longest_window + 1)
    for test_round in AreaTestRound.objects.filter(
        incident_id__in=incident_ids, completed_at__lte=at, completed_at__gte=earliest
    ).select_related("place"):
        rounds[test_round.incident_id].append(test_round)

    dismissed_at: dict[int, dt.datetime] = {
        row["designation_id"]: row["last"]
        for row in ProposalDismissal.objects.filter(
            designation__in=designations, dismissed_at__lte=at
        )
        .order_by()
        .values("designation_id")
        .annotate(last=Max("dismissed_at"))
    }

    result = {}
    for d in designations:
        kind = kind_of(d)
        path = d.place.path
        last_positive = max(
            (t for p, t in positives[d.incident_id] if p.startswith(path)), default=None
        )
        clock = max(d.effective_from, last_positive) if last_positive else d.effective_from
        rule = rules[d.pk]
        covering = paths_of(path)
        window_rounds = [
            r
            for r in rounds[d.incident_id]
            if r.place.path in covering
            and rule is not None
            and _days_between(r.completed_at, at) < rule[1]
            and (last_positive is None or r.completed_at > last_positive)
        ]
        latest = max(window_rounds, key=lambda r: (r.completed_at, r.pk), default=None)
        dismissed = (
            latest is not None
            and d.pk in dismissed_at
            and dismissed_at[d.pk] >= latest.completed_at
        )
        result[d.pk] = LiftingStatus(
            designation=d,
            kind=kind,
            at=at,
            last_positive_at=last_positive,
            days_since_positive=_days_between(last_positive, at) if last_positive else None,
            days_clear=_days_between(clock, at),
            required_days=rule[0] if rule else None,
            round_window_days=rule[1] if rule else None,
            latest_round=latest,
            dismissed=dismissed,
            target=zk.next_lower(d.incident.policy_edition, kind),
        )
    return result


def lifting_status(designation: ZoneDesignation, at: dt.datetime | None = None) -> LiftingStatus:
    return lifting_statuses([designation], at)[designation.pk]


def lifting_proposals(incident: Incident, at: dt.datetime | None = None) -> list[LiftingStatus]:
    """Zones of the incident whose lifting conditions hold at `at` and were not dismissed:
    proposed for lifting (lowest kind) or downgrading (to the next lower kind).
    A person decides: accept_proposal or dismiss_proposal."""
    at = _now(at)
    designations = _in_force(at, incident).order_by("-kind_rank", "place__path")
    statuses = lifting_statuses(designations, at)
    return [s for s in statuses.values() if s.proposed]


def accept_proposal(
    designation: ZoneDesignation,
    *,
    at: dt.datetime | None = None,
    decided_by: Any = None,
    reason: str = "",
) -> ZoneDesignation:
    """Carry out a standing proposal: lift the zone, or change it to the next lower kind.
    Returns the lifted designation or the new (lower) one."""
    at = _now(at)
    status = lifting_status(designation, at)
    if not status.proposed:
        raise ZoneError(_("该区域目前不符合解除/降级条件"))
    reason = reason.strip() or _(
        "符合方案条件：连续%(days)s天无新增阳性，%(window)s天内区域核酸全阴"
    ) % {"days": status.required_days, "window": status.round_window_days}
    if status.target is None:
        return lift_zone(designation, at, reason, decided_by)
    return change_zone(designation, status.target.code, at, reason, decided_by)


def dismiss_proposal(
    designation: ZoneDesignation,
    *,
    at: dt.datetime | None = None,
    decided_by: Any = None,
    note: str = "",
) -> ProposalDismissal:
    """Keep the zone as it is; the proposal returns with the next all-negative area round."""
    at = _now(at)
    if not lifting_status(designation, at).proposed:
        raise ZoneError(_("该区域目前没有待决定的解除/降级建议"))
    return ProposalDismissal.objects.create(
        designation=designation,
        dismissed_at=at,
        dismissed_by=_decider(decided_by),
        note=note.strip(),
    )


# --- designation proposals from other modules -----------------------------------------------


def propose_designation(
    incident: Incident,
    place: Place,
    kind_code: str,
    *,
    reason: str,
    source: str,
    at: dt.datetime | None = None,
) -> DesignationProposal | None:
    """Propose a place for a zone of the incident's edition; a person decides
    (accept_designation_proposal / dismiss_designation_proposal). Nothing is proposed for a
    place already as restricted or more by a zone in force on it or above it, or with a
    proposal already pending (that one is returned)."""
    at = _now(at)
    kind = _kind(incident, kind_code)
    current = effective_zone(place, at, incident=incident)
    if current is not None and current.rank >= kind.rank:
        return None
    pending = DesignationProposal.objects.pending().filter(incident=incident, place=place).first()
    if pending is not None:
        return pending
    try:
        with transaction.atomic():
            return DesignationProposal.objects.create(
                incident=incident,
                place=place,
                kind=kind.code,
                reason=_reason(reason),
                source=source,
                proposed_at=at,
            )
    except IntegrityError:  # proposed at the same moment by another request
        return DesignationProposal.objects.pending().filter(incident=incident, place=place).first()


def designation_proposals(
    incident: Incident, user: Any
) -> list[tuple[DesignationProposal, zk.ZoneKind]]:
    """The incident's pending proposals the user may see, each with its proposed kind."""
    edition = incident.policy_edition
    rows = (
        DesignationProposal.objects.visible_to(user)
        .pending()
        .filter(incident=incident)
        .select_related("place")
    )
    return [(p, zk.resolve(edition, p.kind, 0)) for p in rows]


def _decide(proposal: DesignationProposal) -> DesignationProposal:
    locked = DesignationProposal.objects.select_for_update().get(pk=proposal.pk)
    if locked.status != ProposalStatus.PENDING:
        raise ZoneError(_("该建议已经处理过"))
    return locked


def accept_designation_proposal(
    proposal: DesignationProposal, *, decided_by: Any = None, at: dt.datetime | None = None
) -> ZoneDesignation:
    """Designate the proposed place the proposed zone, from `at`."""
    at = _now(at)
    with transaction.atomic():
        proposal = _decide(proposal)
        designation = designate_zone(
            proposal.place,
            proposal.kind,
            proposal.incident,
            at=at,
            reason=proposal.reason,
            decided_by=decided_by,
        )
        proposal.status = ProposalStatus.ACCEPTED
        proposal.designation = designation
        proposal.decided_at = at
        proposal.decided_by = _decider(decided_by)
        proposal.save(update_fields=["status", "designation", "decided_at", "decided_by"])
    return designation


def dismiss_designation_proposal(
    proposal: DesignationProposal, *, decided_by: Any = None, at: dt.datetime | None = None
) -> DesignationProposal:
    with transaction.atomic():
        proposal = _decide(proposal)
        proposal.status = ProposalStatus.DISMISSED
        proposal.decided_at = _now(at)
        proposal.decided_by = _decider(decided_by)
        proposal.save(update_fields=["status", "decided_at", "decided_by"])
    return proposal


# --- who lives there ------------------------------------------------------------------------


def zone_population(
    designations: Iterable[ZoneDesignation], user: Any
) -> dict[int, tuple[int, int]]:
    """(residents, households) under each designated place that the user may see, in two
    queries however many zones there are."""
    designations = list(designations)
    if not designations:
        return {}
    resident_counts = Person.objects.visible_to(user).aggregate(
        **{
            f"d{d.pk}": Count("id", filter=Q(household__path__startswith=d.place.path))
            for d in designations
        }
    )
    household_counts = (
        Place.objects.visible_to(user)
        .filter(kind=PlaceKind.HOUSEHOLD)
        .order_by()
        .aggregate(
            **{
                f"d{d.pk}": Count("id", filter=Q(path__startswith=d.place.path))
                for d in designations
            }
        )
    )
    return {
        d.pk: (resident_counts[f"d{d.pk}"] or 0, household_counts[f"d{d.pk}"] or 0)
        for d in designations
    }


def households_in(place: Place, user: Any) -> QuerySet[Place]:
    """The households under a place the user may see, each with its visible resident count."""
    visible_residents = (
        Person.objects.visible_to(user)
        .filter(household=OuterRef("pk"))
        .order_by()
        .values("household")
        .annotate(n=Count("id"))
        .values("n")
    )
    return (
        Place.objects.visible_to(user)
        .under(place)
        .filter(kind=PlaceKind.HOUSEHOLD)
        .annotate(resident_count=Coalesce(Subquery(visible_residents), 0))
        .order_by("path")
    )
