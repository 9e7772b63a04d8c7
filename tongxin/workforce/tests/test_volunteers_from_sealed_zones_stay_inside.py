import pytest

from tongxin.factories import PersonFactory, make_id_number
from tongxin.workforce.factories import make_post, make_shift
from tongxin.workforce.models import Assignment, Verification
from tongxin.workforce.services import WorkforceError
from tongxin.workforce.services.shifts import assign
from tongxin.workforce.services.suggest import suggest
from tongxin.workforce.services.volunteers import Registration, register, verify
from tongxin.zones.services import designate_zone

from .conftest import local

pytestmark = pytest.mark.django_db


def _volunteer(incident, town, document=None):
    document = document or make_id_number()
    PersonFactory(document_number=document, household=town.h101)
    member = register(
        incident,
        Registration(name="李志愿", document_number=document, phone="13512345678",
                     skills=["registrar"]),
    )  # fmt: skip
    assert member is not None
    return member


def test_no_assignment_before_staff_verify(incident, town, chief) -> None:
    member = _volunteer(incident, town)
    assert member.verification == Verification.PENDING
    assert member.home == town.h101  # found in the registry by the ID number
    shift = make_shift(make_post(incident, place=town.sunny), local(6, 5), 5, {"registrar": 2})
    with pytest.raises(WorkforceError, match="尚未通过核验"):
        assign(shift, member, "registrar")
    verify(member, chief)
    assign(shift, member, "registrar")
    assert Assignment.objects.filter(member=member).count() == 1


def test_a_volunteer_living_in_a_sealed_building_works_only_inside_it(
    incident, town, chief
) -> None:
    member = _volunteer(incident, town)
    verify(member, chief)
    designate_zone(town.b1, "sealed", incident, at=local(6), reason="阳性", decided_by=chief)
    outside = make_shift(make_post(incident, "幸福小区采样点", place=town.happy), local(7, 5), 5,
                         {"registrar": 1})  # fmt: skip
    nowhere = make_shift(make_post(incident, "流动岗"), local(7, 11), 2, {"registrar": 1})
    inside = make_shift(make_post(incident, "1幢楼道", place=town.b1), local(7, 14), 3,
                        {"registrar": 1})  # fmt: skip

    with pytest.raises(WorkforceError, match="封控区"):
        assign(outside, member, "registrar", now=local(7))
    with pytest.raises(WorkforceError, match="封控区"):
        assign(nowhere, member, "registrar", now=local(7))
    assign(inside, member, "registrar", now=local(7))

    # The suggestion keeps them inside too: only the stairwell post is proposed for them.
    proposals = suggest(incident, local(7).date()).proposals
    assert {p.post for p in proposals if p.member_id == member.pk} <= {"1幢楼道"}


def test_a_prevention_zone_does_not_hold_anyone(incident, town, chief) -> None:
    member = _volunteer(incident, town)
    verify(member, chief)
    designate_zone(town.sunny, "prevention", incident, at=local(6), reason="防范", decided_by=chief)
    outside = make_shift(make_post(incident, "幸福小区采样点", place=town.happy), local(7, 5), 5,
                         {"registrar": 1})  # fmt: skip
    assign(outside, member, "registrar", now=local(7))


def test_the_public_registration_is_not_told_about_an_existing_phone(incident, town) -> None:
    _volunteer(incident, town)
    again = register(
        incident,
        Registration(name="李志愿", document_number=make_id_number(), phone="13512345678",
                     skills=[]),
    )  # fmt: skip
    assert again is None
