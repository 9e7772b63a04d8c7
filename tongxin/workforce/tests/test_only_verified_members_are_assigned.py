"""Only verified members go on a shift, whichever way the assignment comes (the page, the API,
a command, an accepted suggestion): the rule is `shifts.assign`'s, checked before anything
else, and the page only shows its refusal."""

import pytest
from django.test import Client

from tongxin.workforce.factories import MemberFactory, make_post, make_shift
from tongxin.workforce.models import Assignment, Verification
from tongxin.workforce.services import WorkforceError
from tongxin.workforce.services.shifts import assign

from .conftest import local

pytestmark = pytest.mark.django_db


def test_the_service_refuses_a_pending_volunteer_before_looking_at_their_skills(
    incident, town
) -> None:
    member = MemberFactory(
        incident=incident, name="吴志愿", area=town.sunny, is_volunteer=True,
        verification=Verification.PENDING, qualifications=["registrar"],
    )  # fmt: skip
    shift = make_shift(make_post(incident, place=town.sunny), local(6, 5), 5, {"sampling": 1})

    with pytest.raises(WorkforceError, match=r"^吴志愿 尚未通过核验，不能排班$"):
        assign(shift, member, "sampling")
    with pytest.raises(WorkforceError, match="尚未通过核验"):
        assign(shift, member, "registrar")
    assert not Assignment.objects.exists()


def test_the_service_refuses_a_rejected_member(incident, town) -> None:
    member = MemberFactory(
        incident=incident, name="郑志愿", area=town.sunny, is_volunteer=True,
        verification=Verification.REJECTED, qualifications=["registrar"],
    )  # fmt: skip
    shift = make_shift(make_post(incident, place=town.sunny), local(6, 5), 5, {"registrar": 1})

    with pytest.raises(WorkforceError, match="尚未通过核验"):
        assign(shift, member, "registrar")
    assert not Assignment.objects.exists()


def test_the_shift_page_shows_the_services_refusal(chief, incident, town) -> None:
    member = MemberFactory(
        incident=incident, name="吴志愿", area=town.sunny, is_volunteer=True,
        verification=Verification.PENDING, qualifications=["registrar"],
    )  # fmt: skip
    shift = make_shift(make_post(incident, place=town.sunny), local(6, 5), 5, {"registrar": 1})
    client = Client()
    client.force_login(chief)

    response = client.post(
        f"/workforce/shifts/{shift.pk}/assign/",
        {"member": member.pk, "qualification": "registrar"},
        follow=True,
    )

    shown = [str(m) for m in response.context["messages"]]
    assert shown == ["吴志愿 尚未通过核验，不能排班"]
    assert not Assignment.objects.exists()
