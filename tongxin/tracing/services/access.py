"""Who may do what in tracing (permissions), and getting objects through `visible_to` so that
anything out of reach is a 404."""

from typing import Any

from django.http import Http404
from django.utils.translation import gettext as _

from tongxin.accounts.permissions import Perm, has_perm
from tongxin.audit.services import record_view
from tongxin.incidents.models import Incident
from tongxin.people.services import PermissionDenied
from tongxin.tracing.models import Case, Management


def require(user: Any, perm: Perm) -> None:
    if not has_perm(user, perm):
        raise PermissionDenied(_("没有流调相关权限"))


def incident_for(user: Any, incident_id: int | None = None) -> Incident:
    """The incident asked for, or the most recent open one."""
    qs = Incident.objects.visible_to(user)
    found = qs.filter(pk=incident_id).first() if incident_id else qs.open().first()
    if found is None:
        raise Http404
    return found


def visible_case(user: Any, pk: int, *, audit: bool = True) -> Case:
    case = (
        Case.objects.visible_to(user)
        .select_related("incident__policy_edition", "person__household", "outside_person")
        .filter(pk=pk)
        .first()
    )
    if case is None:
        raise Http404
    if audit:
        record_view(case)
    return case


def visible_management(user: Any, pk: int, *, audit: bool = True) -> Management:
    m = (
        Management.objects.visible_to(user)
        .select_related("person", "outside_person", "household")
        .filter(pk=pk)
        .first()
    )
    if m is None:
        raise Http404
    if audit:
        record_view(m)
    return m
