"""Walk-ins: people sampled at a point who are not in the registry.

They are registered on the spot as residents of the household they name (under a building of
the round's scope), marked 暂住 and flagged (a WalkIn row) until their grid has checked them.
"""

import datetime as dt
from typing import Any

from django.db import IntegrityError, transaction
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
    qs = Place.objects.filter(_scope_q(round_id)).filter(
        kind__in=[PlaceKind.BUILDING, PlaceKind.STAIRWELL]
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
