"""Walk-ins: people sampled at a point who are not in the registry.

They are registered on the spot as residents of the household they name (under a building of
the round's scope), marked 暂住 and flagged (a WalkIn row) until their grid has checked them.
"""

import datetime as dt
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from tongxin.core import idnumbers
from tongxin.core.phones import InvalidPhone, normalize_mobile
from tongxin.core.text import clean_text
from tongxin.people.models import DocumentType, Person, ResidenceStatus
from tongxin.places.labels import room_label
from tongxin.places.models import Place, PlaceKind
from tongxin.places.services import PlaceTree
from tongxin.sampling.models import WalkIn
from tongxin.testing.models import RoundArea

# The building, under a point's estate, holding walk-ins whose address is still to be given.
PENDING_BUILDING_KEY = "walk-ins"


class WalkInError(ValueError):
    pass


def _scope_q(round_id: int) -> Any:
    from django.db.models import Q

    q = Q(pk__in=[])
    for path in RoundArea.objects.filter(round_id=round_id).values_list("place__path", flat=True):
        q |= Q(path__startswith=path)
    return q


def buildings_for_walk_ins(round_id: int, under: Place | None = None) -> Any:
    """Buildings and stairwells a walk-in may name as home: those in the round's scope."""
    qs = (
        Place.objects.filter(_scope_q(round_id))
        .filter(kind__in=[PlaceKind.BUILDING, PlaceKind.STAIRWELL])
        .exclude(kind=PlaceKind.BUILDING, key=PENDING_BUILDING_KEY)
    )
    return qs.under(under) if under is not None else qs


def register_walk_in(
    user: Any,
    *,
    round_id: int,
    point_id: int | None,
    name: str,
    document_type: str,
    document_number: str,
    building_id: int | None,
    room: str,
    phone: str = "",
    now: dt.datetime | None = None,
) -> Person:
    """Create the person (and their household, if new) and flag them for the grid."""
    now = now or timezone.now()
    name = clean_text(name)
    if not name:
        raise WalkInError(_("请填写姓名"))
    if document_type == DocumentType.RESIDENT_ID:
        try:
            document_number = idnumbers.parse(document_number).number
        except idnumbers.InvalidIdNumber as exc:
            raise WalkInError(exc.message) from None
    if phone:
        try:
            phone = normalize_mobile(phone)
        except InvalidPhone:
            raise WalkInError(_("手机号码无效")) from None
    if building_id is None:
        raise WalkInError(_("请选择居住的楼幢"))
    building = buildings_for_walk_ins(round_id).filter(pk=building_id).first()
    if building is None:
        raise WalkInError(_("所选楼幢不在本轮次范围内"))
    key, label = room_label(room)
    if not key:
        raise WalkInError(_("请填写房号"))
    if Person.objects.with_document(document_type, document_number).exists():
        raise WalkInError(_("此证件号码已在登记名单中"))
    try:
        with transaction.atomic():
            household = PlaceTree().child(building, PlaceKind.HOUSEHOLD, key, label)
            person = Person.objects.create(
                name=name,
                document_type=document_type,
                document_number=document_number,
                phone=phone,
                household=household,
                residence_status=ResidenceStatus.TEMPORARY,
                notes=_("采样点现场登记，待网格核实"),
            )
            WalkIn.objects.create(
                person=person,
                round_id=round_id,
                point_id=point_id,
                registered_at=now,
                registered_by=user if getattr(user, "pk", None) else None,
            )
    except IntegrityError:
        raise WalkInError(_("此证件号码已在登记名单中")) from None
    return person


def _pending_building(point: Any, round_id: int) -> Place:
    """The building that holds the walk-ins still to be placed, under the point's estate (or
    the round's first estate, for a point above estate level)."""
    place = point.place if point is not None else None
    estate: Place | None = None
    if place is not None:
        if place.kind == PlaceKind.ESTATE:
            estate = place
        elif place.depth > 4:
            estate = Place.objects.filter(
                kind=PlaceKind.ESTATE, path=place.path[: 4 * Place.steplen]
            ).first()
        else:
            estate = Place.objects.filter(kind=PlaceKind.ESTATE).under(place).first()
    if estate is None:
        estate = (
            Place.objects.filter(_scope_q(round_id) | Q(pk__in=[]), kind=PlaceKind.ESTATE)
            .order_by("path")
            .first()
        )
    if estate is None:
        raise WalkInError(_("本轮次范围内没有小区，无法现场登记"))
    return PlaceTree().child(
        estate, PlaceKind.BUILDING, PENDING_BUILDING_KEY, str(_("现场登记（待核实住址）"))
    )


def register_unlisted(
    user: Any,
    *,
    round_id: int,
    point_id: int | None,
    household_id: int | None,
    name: str,
    document_type: str,
    document_number: str,
    phone: str = "",
    now: dt.datetime | None = None,
) -> Person:
    """Register somebody sampled with only what their card says: the number (encrypted, like
    every resident's), the name if the sampler typed it. They live, until the grid places
    them, in the household a door-to-door task was for, or in the point's pending household;
    the WalkIn row asks for their details (现场登记待核实)."""
    now = now or timezone.now()
    try:
        phone = normalize_mobile(phone) if phone else ""
    except InvalidPhone:
        phone = ""
    try:
        return _create_unlisted(
            user, round_id, point_id, household_id, name, document_type, document_number,
            phone, now,
        )  # fmt: skip
    except IntegrityError:
        # Another upload registered the same number a moment ago: theirs is the person.
        existing = Person.objects.with_document(document_type, document_number).first()
        if existing is None:
            raise
        return existing


def _create_unlisted(
    user: Any,
    round_id: int,
    point_id: int | None,
    household_id: int | None,
    name: str,
    document_type: str,
    document_number: str,
    phone: str,
    now: dt.datetime,
) -> Person:
    from tongxin.testing.models import TestPoint

    with transaction.atomic():
        if household_id is not None:
            household = Place.objects.get(pk=household_id)
        else:
            point = (
                TestPoint.objects.select_related("place").filter(pk=point_id).first()
                if point_id is not None
                else None
            )
            building = _pending_building(point, round_id)
            key = f"point-{point_id}" if point is not None else "round"
            label = point.name if point is not None else str(_("待核实"))
            household = PlaceTree().child(building, PlaceKind.HOUSEHOLD, key, label)
        person = Person.objects.create(
            name=clean_text(name)[:50] or str(_("待补登姓名")),
            document_type=document_type,
            document_number=document_number,
            phone=phone,
            household=household,
            residence_status=ResidenceStatus.TEMPORARY,
            notes=_("采样点现场登记（仅有证件号码），待补登姓名和住址、网格核实"),
        )
        WalkIn.objects.create(
            person=person,
            round_id=round_id,
            point_id=point_id,
            registered_at=now,
            registered_by=user if getattr(user, "pk", None) else None,
            needs_details=household_id is None or not clean_text(name),
        )
    return person


def complete_walk_in(
    user: Any,
    *,
    round_id: int,
    point_id: int,
    event_id: str,
    name: str,
    building_id: int | None,
    room: str,
    phone: str = "",
) -> None:
    """The sampler completes the name and address of someone sampled as not on the list
    (by the id of the sample event their page made). The input is checked the same way
    whoever the sample turned out to be, and the answer is the same: only a walk-in still
    waiting for details is changed (a resident registered elsewhere is left as they are)."""
    import uuid

    from tongxin.sampling.models import SampleEvent
    from tongxin.testing.models import TestPoint

    name = clean_text(name)[:50]
    if not name:
        raise WalkInError(_("请填写姓名"))
    if phone:
        try:
            phone = normalize_mobile(phone)
        except InvalidPhone:
            raise WalkInError(_("手机号码无效")) from None
    building = (
        buildings_for_walk_ins(round_id).filter(pk=building_id).first()
        if building_id is not None
        else None
    )
    if building is None:
        raise WalkInError(_("所选楼幢不在本轮次范围内"))
    key, label = room_label(room)
    if not key:
        raise WalkInError(_("请填写房号"))
    try:
        uid = uuid.UUID(str(event_id))
    except ValueError:
        raise WalkInError(_("找不到这条采样记录")) from None
    sample = (
        SampleEvent.objects.filter(
            client_event_id=uid,
            round_id=round_id,
            point_id=point_id,
            point__in=TestPoint.objects.visible_to(user),
        )
        .values("person_id")
        .first()
    )
    if sample is None:
        raise WalkInError(_("找不到这条采样记录"))
    with transaction.atomic():
        walk_in = (
            WalkIn.objects.select_for_update(of=("self",))
            .filter(person_id=sample["person_id"], needs_details=True)
            .select_related("person")
            .first()
        )
        if walk_in is None:
            return
        person = walk_in.person
        person.name = name
        person.household = PlaceTree().child(building, PlaceKind.HOUSEHOLD, key, label)
        if phone:
            person.phone = phone
        person.save()
        walk_in.needs_details = False
        walk_in.save()


def check_walk_in(user: Any, walk_in_id: int, note: str = "", now: Any = None) -> WalkIn:
    """The grid has seen the walk-in (and corrected the registry if needed)."""
    from django.http import Http404

    walk_in = WalkIn.objects.visible_to(user).filter(pk=walk_in_id).first()
    if walk_in is None:
        raise Http404
    if walk_in.checked_at is None:
        walk_in.checked_at = now or timezone.now()
        walk_in.checked_by = user
        walk_in.check_note = note.strip()[:255]
        walk_in.save()
    return walk_in
