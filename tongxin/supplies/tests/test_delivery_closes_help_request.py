import pytest
from django.test import TestCase

from tongxin.accounts.models import Role
from tongxin.factories import PersonFactory, UnitFactory, UserFactory, household
from tongxin.helpdesk.models import Channel, Status
from tongxin.helpdesk.services import dispatch
from tongxin.helpdesk.services.intake import Intake, receive
from tongxin.supplies.factories import item
from tongxin.supplies.services import SuppliesError
from tongxin.supplies.services.deliveries import generate_round, link_help_request, mark_delivered
from tongxin.units.models import UnitKind
from tongxin.zones.services import designate_zone

from .conftest import local

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _sms_in_tmp(settings, tmp_path):
    settings.TONGXIN_SMS_FILE = str(tmp_path / "sms.jsonl")


def _setup(incident, chief):
    h101 = household("阳光小区", "1", "101")
    other = household("阳光小区", "1", "102")
    PersonFactory(household=h101)
    PersonFactory(household=other)
    estate = h101.parent.parent
    designate_zone(estate, "sealed", incident, at=local(6), reason="阳性", decided_by=chief)
    round_ = generate_round(incident, estate, item("蔬菜包"), local(7).date(), at=local(7))
    desk = UserFactory(role=Role.HELPDESK, unit=UnitFactory(name="求助平台", kind=UnitKind.OTHER))
    team = UnitFactory(name="县物资保障组", kind=UnitKind.SUPPORT)
    courier = UserFactory(role=Role.SUPPORT_TEAM, unit=team, full_name="送菜员")
    with TestCase.captureOnCommitCallbacks(execute=True):
        request = receive(
            Intake(text="家里没菜了", phone="13912345678", place=h101, channel=Channel.HOTLINE,
                   category="food"),
            by=desk, now=local(7, 8),
        ).request  # fmt: skip
        request = dispatch(request, team, desk, now=local(7, 8, 10))
    return round_, h101, other, request, courier


def test_the_doorstep_delivery_closes_the_linked_request(incident, chief) -> None:
    round_, h101, _other, request, courier = _setup(incident, chief)
    delivery = round_.deliveries.get(household=h101)
    link_help_request(delivery, request)
    with TestCase.captureOnCommitCallbacks(execute=True):
        marked = mark_delivered(delivery, courier, client_id="c-1", at=local(7, 10))
    assert marked.request_closed
    request.refresh_from_db()
    assert request.status == Status.CLOSED
    assert request.closed_by == courier
    assert "蔬菜包" in request.resolution
    assert request.events.filter(kind="contact", outcome="delivered").exists()


def test_a_request_from_another_household_cannot_be_linked(incident, chief) -> None:
    round_, _h101, other, request, _courier = _setup(incident, chief)
    with pytest.raises(SuppliesError, match="不一致"):
        link_help_request(round_.deliveries.get(household=other), request)


def test_someone_not_on_the_request_delivers_but_the_team_closes_it(incident, chief) -> None:
    round_, h101, _other, request, _courier = _setup(incident, chief)
    delivery = link_help_request(round_.deliveries.get(household=h101), request)
    cadre = UserFactory(role=Role.GRID_STAFF, unit=UnitFactory(name="县水利局"))
    marked = mark_delivered(delivery, cadre, client_id="c-2", at=local(7, 10))
    assert not marked.request_closed and "承办组" in marked.request_note
    request.refresh_from_db()
    assert request.status != Status.CLOSED
