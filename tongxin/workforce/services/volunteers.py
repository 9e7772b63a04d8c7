"""Volunteers: the public registration, an organisation's list, and staff verification.

A registration never assigns anybody: it waits for staff to verify it. The ID number finds
the volunteer's registry household, from which the zone rules are read (placement)."""

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from tongxin.accounts.permissions import Perm, has_perm
from tongxin.core import idnumbers
from tongxin.core.phones import InvalidPhone, normalize_mobile
from tongxin.incidents.models import Incident
from tongxin.people.models import DocumentType, Person
from tongxin.places.models import Place
from tongxin.workforce.models import Member, Qualification, Verification, VolunteerOrg
from tongxin.workforce.services import WorkforceError


@dataclass(frozen=True)
class Registration:
    name: str
    document_number: str
    phone: str
    skills: list[str]
    availability: str = ""
    area: Place | None = None
    organisation: VolunteerOrg | None = None
    skills_text: str = ""


def registry_household(document_number: str) -> Place | None:
    person = (
        Person.objects.with_document(DocumentType.RESIDENT_ID, document_number)
        .select_related("household")
        .first()
    )
    return person.household if person is not None else None


def register(incident: Incident, data: Registration) -> Member | None:
    """A volunteer's registration, pending verification. None when the phone is already
    registered for the incident (the page says the same either way)."""
    name = data.name.strip()
    if not name:
        raise WorkforceError(_("请填写姓名"))
    try:
        phone = normalize_mobile(data.phone)
    except InvalidPhone:
        raise WorkforceError(_("手机号不正确")) from None
    try:
        document = idnumbers.parse(data.document_number).number
    except idnumbers.InvalidIdNumber:
        raise WorkforceError(_("身份证号不正确")) from None
    skills = [s for s in data.skills if s in Qualification.values]
    if Member.objects.filter(incident=incident).with_phone(phone).exists():
        return None
    try:
        with transaction.atomic():
            return Member.objects.create(
                incident=incident, is_volunteer=True, name=name[:50], phone=phone,
                document_number=document, qualifications=skills, skills=data.skills_text[:200],
                availability=data.availability[:200], area=data.area,
                organisation=data.organisation, home=registry_household(document),
                verification=Verification.PENDING,
            )  # fmt: skip
    except IntegrityError:
        return None


def verify(
    member: Member, user: Any, *, approve: bool = True, now: dt.datetime | None = None
) -> Member:
    """Staff check a volunteer (identity, health, where they live) before any assignment."""
    if not has_perm(user, Perm.MANAGE_WORKFORCE):
        raise WorkforceError(_("您没有核验志愿者的权限"))
    if not Member.objects.visible_to(user).filter(pk=member.pk).exists():
        raise WorkforceError(_("未找到"))
    # The household may have been registered since the volunteer signed up.
    if member.home_id is None and member.document_number:
        member.home = registry_household(member.document_number)
    member.verification = Verification.VERIFIED if approve else Verification.REJECTED
    member.verified_at = now or timezone.now()
    member.verified_by = user
    member.save()
    return member
