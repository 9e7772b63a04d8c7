"""The incident's timeline (大事记): recorded from the modules' own records, plus entries the
command post writes.

Lower apps are not edited for this: `connect()` (from CommandConfig.ready) listens to their
models' saves, and `record_from_modules` finds whatever was written without a save signal
(bulk inserts, data loaded before the command app). Each automatic entry names its source
event, so however often both run, an event is recorded once. Entries name places down to a
building and never a person: a positive is recorded against its estate.
"""

import datetime as dt
from typing import Any

from django.db.models.signals import post_save, pre_save
from django.utils import timezone
from django.utils.translation import gettext as _

from tongxin.command.models import EntryKind, TimelineEntry
from tongxin.incidents.models import Incident
from tongxin.places.models import Place, PlaceKind

COARSEST_FOR_POSITIVES = PlaceKind.ESTATE


def place_label(place: Place | None, coarsest: str | None = None) -> str:
    """An estate, building or township as people say it: 阳光小区3幢; never a household."""
    if place is None:
        return ""
    node: Any = place
    while node.kind in (PlaceKind.HOUSEHOLD, PlaceKind.STAIRWELL) and node.parent_id:
        node = node.parent
    depth = {str(PlaceKind.ESTATE): 4, str(PlaceKind.BUILDING): 5}.get(coarsest or "")
    while depth is not None and node.depth > depth and node.parent_id:
        node = node.parent
    if node.kind == PlaceKind.BUILDING and node.parent_id:
        return f"{node.parent.name}{node.name}"
    return str(node.name)


def _entry(incident_id: int, at: dt.datetime, kind: str, text: str, source: str) -> TimelineEntry:
    return TimelineEntry(incident_id=incident_id, at=at, kind=kind, text=text[:500], source=source)


def save_entries(entries: list[TimelineEntry]) -> int:
    if not entries:
        return 0
    before = TimelineEntry.objects.filter(source__in=[e.source for e in entries]).count()
    TimelineEntry.objects.bulk_create(entries, ignore_conflicts=True)
    return TimelineEntry.objects.filter(source__in=[e.source for e in entries]).count() - before


# --- what each module's record becomes ------------------------------------------------------


def zone_entries(designation: Any) -> list[TimelineEntry]:
    where = place_label(designation.place)
    if designation.supersedes_id:
        start = _entry(
            designation.incident_id,
            designation.effective_from,
            EntryKind.ZONE_CHANGED,
            _("%(place)s调整为%(kind)s") % {"place": where, "kind": designation.kind_name},
            f"zone:{designation.pk}:start",
        )
    else:
        start = _entry(
            designation.incident_id,
            designation.effective_from,
            EntryKind.ZONE_DESIGNATED,
            _("%(place)s划定为%(kind)s") % {"place": where, "kind": designation.kind_name},
            f"zone:{designation.pk}:start",
        )
    entries = [start]
    if designation.effective_until is not None and designation.ended_how == "lifted":
        entries.append(
            _entry(
                designation.incident_id,
                designation.effective_until,
                EntryKind.ZONE_LIFTED,
                _("%(place)s解除%(kind)s") % {"place": where, "kind": designation.kind_name},
                f"zone:{designation.pk}:end",
            )
        )
    return entries


def round_entries(test_round: Any, now: dt.datetime | None = None) -> list[TimelineEntry]:
    entries = []
    if test_round.status in ("active", "closed"):
        entries.append(
            _entry(
                test_round.incident_id,
                test_round.starts_at,
                EntryKind.ROUND_STARTED,
                _("%(name)s开始采样") % {"name": test_round.name},
                f"round:{test_round.pk}:started",
            )
        )
    if test_round.status == "closed":
        entries.append(
            _entry(
                test_round.incident_id,
                min(now or timezone.now(), test_round.deadline),
                EntryKind.ROUND_FINISHED,
                _("%(name)s结束") % {"name": test_round.name},
                f"round:{test_round.pk}:finished",
            )
        )
    return entries


def positive_entries(finding: Any) -> list[TimelineEntry]:
    return [
        _entry(
            finding.incident_id,
            finding.found_at,
            EntryKind.POSITIVE,
            _("%(place)s发现阳性1例")
            % {"place": place_label(finding.place, COARSEST_FOR_POSITIVES)},
            f"positive:{finding.pk}",
        )
    ]


def directive_entries(directive: Any) -> list[TimelineEntry]:
    if directive.status == "cancelled":
        return []
    return [
        _entry(
            directive.incident_id,
            directive.issued_at,
            EntryKind.DIRECTIVE,
            _("签发指令：%(title)s") % {"title": directive.title},
            f"directive:{directive.pk}",
        )
    ]


def notice_entries(notice: Any) -> list[TimelineEntry]:
    if notice.published_at is None:
        return []
    return [
        _entry(
            notice.incident_id,
            notice.published_at,
            EntryKind.NOTICE,
            _("发布通告第%(number)s号：%(title)s")
            % {"number": notice.number, "title": notice.title},
            f"notice:{notice.pk}",
        )
    ]


# --- signals ------------------------------------------------------------------------------


def _on_zone(sender: Any, instance: Any, **kwargs: Any) -> None:
    if not kwargs.get("raw"):
        save_entries(zone_entries(instance))


def _remember_round_status(sender: Any, instance: Any, **kwargs: Any) -> None:
    instance._tx_status_before = (
        sender.objects.filter(pk=instance.pk).values_list("status", flat=True).first()
        if instance.pk
        else None
    )


def _on_round(sender: Any, instance: Any, **kwargs: Any) -> None:
    if not kwargs.get("raw") and getattr(instance, "_tx_status_before", None) != instance.status:
        save_entries(round_entries(instance))


def _on_positive(sender: Any, instance: Any, created: bool = False, **kwargs: Any) -> None:
    if created and not kwargs.get("raw"):
        save_entries(positive_entries(instance))


def _on_directive(sender: Any, instance: Any, created: bool = False, **kwargs: Any) -> None:
    if created and not kwargs.get("raw"):
        save_entries(directive_entries(instance))


def connect() -> None:
    from tongxin.directives.models import Directive
    from tongxin.testing.models import TestRound
    from tongxin.zones.models import PositiveFinding, ZoneDesignation

    post_save.connect(_on_zone, sender=ZoneDesignation, dispatch_uid="command_timeline_zone")
    pre_save.connect(
        _remember_round_status, sender=TestRound, dispatch_uid="command_timeline_round_before"
    )
    post_save.connect(_on_round, sender=TestRound, dispatch_uid="command_timeline_round")
    post_save.connect(_on_positive, sender=PositiveFinding, dispatch_uid="command_timeline_pos")
    post_save.connect(_on_directive, sender=Directive, dispatch_uid="command_timeline_directive")


def record_from_modules(incident: Incident, now: dt.datetime | None = None) -> int:
    """Record every event of the incident not yet on the timeline; returns how many were new."""
    from tongxin.directives.models import Directive
    from tongxin.testing.models import TestRound
    from tongxin.zones.models import PositiveFinding, ZoneDesignation

    entries: list[TimelineEntry] = []
    for designation in ZoneDesignation.objects.filter(incident=incident).select_related(
        "place__parent"
    ):
        entries += zone_entries(designation)
    for test_round in TestRound.objects.filter(incident=incident):
        entries += round_entries(test_round, now)
    for finding in PositiveFinding.objects.filter(incident=incident).select_related("place"):
        entries += positive_entries(finding)
    for directive in Directive.objects.filter(incident=incident):
        entries += directive_entries(directive)
    return save_entries(entries)


def add_manual(incident: Incident, at: dt.datetime, text: str, user: Any) -> TimelineEntry:
    text = " ".join(text.split())
    if not text:
        raise ValueError(_("请填写大事记内容"))
    return TimelineEntry.objects.create(
        incident=incident, at=at, kind=EntryKind.MANUAL, text=text[:500], created_by=user
    )


def entries_between(
    incident: Incident, start: dt.datetime, end: dt.datetime
) -> list[TimelineEntry]:
    return list(TimelineEntry.objects.filter(incident=incident, at__gt=start, at__lte=end))
