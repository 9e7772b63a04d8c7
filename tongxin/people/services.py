"""Finding, showing and revealing residents. Views, the API and commands all call these."""

import contextlib
import re
from collections.abc import Iterable
from typing import Any

from django.db.models import Count, Q
from django.db.models.functions import Substr
from django.http import Http404
from django.utils.translation import gettext as _

from tongxin.accounts import second_factor
from tongxin.accounts.permissions import Perm, has_perm
from tongxin.audit.services import RevealLimitExceeded, record_reveal, record_view
from tongxin.core import idnumbers
from tongxin.core.phones import InvalidPhone, normalize_mobile
from tongxin.core.text import clean_text
from tongxin.people.models import DocumentType, Person, PersonQuerySet
from tongxin.places.models import Place
from tongxin.places.services import count_under

REVEALABLE_FIELDS = {"document_number", "phone"}


class PermissionDenied(Exception):
    pass


class ReasonRequired(PermissionDenied):
    """A value is shown in clear only for a stated reason, which the audit trail keeps."""


REASON_MAX_LENGTH = 200


def clean_reason(reason: str | None) -> str:
    """The reason given for a reveal or an unmasked export, or ReasonRequired."""
    from django.conf import settings

    text = clean_text(reason or "")[:REASON_MAX_LENGTH]
    if len(text) < int(getattr(settings, "TONGXIN_REVEAL_REASON_MIN_LENGTH", 2)):
        raise ReasonRequired(_("请填写查看事由（至少 2 个字），本次查看将连同事由记入审计。"))
    return text


def search(queryset: PersonQuerySet, query: str) -> PersonQuerySet:
    """Name, pinyin, initials, last 4 digits of phone or ID, a full ID or phone, an address."""
    q = clean_text(query)
    if not q:
        return queryset
    compact = q.replace(" ", "")
    condition = Q(name__icontains=q)
    if re.fullmatch(r"[A-Za-z]+", compact):
        lower = compact.lower()
        condition |= Q(name_pinyin__startswith=lower) | Q(name_initials__startswith=lower)
    if re.fullmatch(r"\d{3}[\dXx]", compact):
        condition |= Q(document_last4=compact.upper()) | Q(phone_last4=compact)
    normalized_id = idnumbers.normalize(compact)
    if idnumbers.is_valid(normalized_id):
        number = idnumbers.parse(normalized_id).number
        condition |= Q(pk__in=Person.objects.with_document(DocumentType.RESIDENT_ID, number))
    elif len(compact) >= 5:
        for doc_type in (DocumentType.PASSPORT, DocumentType.HMT_PERMIT, DocumentType.OTHER):
            condition |= Q(pk__in=Person.objects.with_document(doc_type, compact.upper()))
    if re.fullmatch(r"\+?\d{11,13}", compact):
        with contextlib.suppress(InvalidPhone):
            condition |= Q(pk__in=Person.objects.with_phone(normalize_mobile(compact)))
    if not re.fullmatch(r"[\dXx]+", compact):
        condition |= Q(household__address__icontains=q)
    return queryset.filter(condition)


def get_visible_person(user: Any, pk: int) -> Person:
    """The person if the user may see them, else 404 (never 403: existence is not disclosed)."""
    person = Person.objects.visible_to(user).select_related("household").filter(pk=pk).first()
    if person is None:
        raise Http404(_("未找到该居民"))
    return person


def view_person(user: Any, pk: int) -> Person:
    """Open a resident's record; every view is audited."""
    person = get_visible_person(user, pk)
    record_view(person)
    return person


def reveal(user: Any, pk: int, field: str, reason: str | None = None) -> str:
    """The plaintext of one personal-data field, for a permitted user with a stated reason;
    audited with the reason, and limited per user per hour (TONGXIN_REVEALS_PER_HOUR)."""
    if field not in REVEALABLE_FIELDS:
        raise Http404(field)
    person = get_visible_person(user, pk)
    if not has_perm(user, Perm.REVEAL_PERSONAL):
        raise PermissionDenied(_("您没有查看明文的权限"))
    second_factor.require(user)
    why = clean_reason(reason)
    try:
        record_reveal(person, field, reason=why)
    except RevealLimitExceeded as exc:
        raise PermissionDenied(str(exc)) from exc
    return str(getattr(person, field) or "")


def resident_counts(places: Iterable[Place], user: Any) -> dict[int, int]:
    """Residents under each place, visible to the user: one query per group of siblings."""

    def rows(parent_path: str, length: int) -> Any:
        return (
            Person.objects.visible_to(user)
            .filter(household__path__startswith=parent_path)
            .annotate(prefix=Substr("household__path", 1, length))
            .values("prefix")
            .annotate(n=Count("id"))
        )

    return count_under(places, rows)
