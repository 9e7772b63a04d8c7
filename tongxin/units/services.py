"""Units and their assignments (网格包干) managed in the application.

The acting user needs MANAGE_STAFF and reaches only the units and places visible to them.
Units and assignments are audited models: every change is in the audit trail."""

import datetime as dt
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from tongxin.accounts.jurisdiction import administered
from tongxin.accounts.permissions import Perm, has_perm
from tongxin.units.models import Unit, UnitAssignment, UnitKind


class UnitError(ValueError):
    pass


class NotFound(LookupError):
    pass


def managed_units(by: Any) -> Any:
    if not has_perm(by, Perm.MANAGE_STAFF):
        raise NotFound
    return administered(Unit, by)


def _check(by: Any, unit: Unit, place: Any = None) -> None:
    from tongxin.places.models import Place

    if not managed_units(by).filter(pk=unit.pk).exists():
        raise NotFound
    if place is not None and not administered(Place, by).filter(pk=place.pk).exists():
        raise NotFound


@transaction.atomic
def create_unit(by: Any, name: str, kind: str, contact_name: str = "") -> Unit:
    if not has_perm(by, Perm.MANAGE_STAFF):
        raise NotFound
    name = "".join(name.split())
    if not name:
        raise UnitError(_("请填写单位名称"))
    if kind not in UnitKind.values:
        raise UnitError(_("单位类型无法识别"))
    if Unit.objects.filter(name=name).exists():
        raise UnitError(_("已有同名单位“%(name)s”") % {"name": name})
    return Unit.objects.create(name=name, kind=kind, contact_name=contact_name.strip())


@transaction.atomic
def assign_place(by: Any, unit: Unit, place: Any, starts_on: dt.date | None = None) -> Any:
    _check(by, unit, place)
    today = timezone.localdate()
    existing = UnitAssignment.objects.active(today).filter(unit=unit, place=place).first()
    if existing is not None:
        return existing
    return UnitAssignment.objects.create(unit=unit, place=place, starts_on=starts_on or today)


@transaction.atomic
def end_assignment(by: Any, unit: Unit, assignment_id: int, ends_on: dt.date | None = None) -> Any:
    _check(by, unit)
    found = UnitAssignment.objects.filter(pk=assignment_id, unit=unit).first()
    if found is None:
        raise NotFound
    ends_on = ends_on or timezone.localdate()
    if ends_on < found.starts_on:
        raise UnitError(_("结束日期不能早于开始日期"))
    found.ends_on = ends_on
    found.save(update_fields=["ends_on"])
    return found
