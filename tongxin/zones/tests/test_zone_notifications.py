import pytest

from tongxin.accounts.models import Role
from tongxin.factories import UnitFactory, UserFactory, assign
from tongxin.notifications.models import Message, Notification
from tongxin.zones.models import ZoneDesignation
from tongxin.zones.services import change_zone, designate_zone, lift_zone, units_in_zone

from .conftest import local

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _sms_to_tmp(settings, tmp_path) -> None:
    settings.TONGXIN_SMS_FILE = str(tmp_path / "sms.jsonl")


@pytest.fixture
def units(town):
    water = UnitFactory(name="县水利局")
    assign(water, town.sunny)
    township = UnitFactory(name="芹阳办事处")
    assign(township, town.township)
    neighbour = UnitFactory(name="县教育局")
    assign(neighbour, town.happy)
    cadre = UnitFactory(name="1幢包楼组")
    assign(cadre, town.b1)
    return {"water": water, "township": township, "neighbour": neighbour, "cadre": cadre}


def test_units_in_zone_are_those_on_above_or_below_the_place(town, incident, units) -> None:
    estate = designate_zone(town.sunny, "controlled", incident, at=local(6), reason="管控")
    building = designate_zone(town.b2, "sealed", incident, at=local(6), reason="封控")
    assert set(units_in_zone(estate)) == {units["water"], units["township"], units["cadre"]}
    assert set(units_in_zone(building)) == {units["water"], units["township"]}


def test_designating_tells_the_responsible_units_staff(
    town, incident, units, django_capture_on_commit_callbacks
) -> None:
    staff = UserFactory(role=Role.GRID_STAFF, unit=units["water"])
    outsider = UserFactory(role=Role.GRID_STAFF, unit=units["neighbour"])
    with django_capture_on_commit_callbacks(execute=True):
        zone = designate_zone(town.b1, "sealed", incident, at=local(7, 2), reason="发现阳性")
    note = Notification.objects.get(kind="zone_designated")
    assert "1幢" in note.title and "封控区" in note.title
    assert "发现阳性" in note.body and "足不出户" in note.body
    assert note.incident == incident and note.link.endswith(f"/zones/{zone.pk}/")
    assert Message.objects.filter(notification=note, user=staff).exists()
    assert not Message.objects.filter(user=outsider).exists()

    with django_capture_on_commit_callbacks(execute=True):
        lowered = change_zone(zone, "controlled", local(14), "降级")
    changed = Notification.objects.filter(kind="zone_designated").latest("id")
    assert "由封控区调整为管控区" in changed.title
    with django_capture_on_commit_callbacks(execute=True):
        lift_zone(lowered, local(20), "解除")
    lifted = Notification.objects.get(kind="zone_lifted")
    assert "解除管控区" in lifted.title


def test_a_failing_notification_does_not_undo_the_decision(
    town, incident, units, monkeypatch, django_capture_on_commit_callbacks
) -> None:
    def broken(*args, **kwargs):
        raise RuntimeError("notification service down")

    monkeypatch.setattr("tongxin.notifications.services.notify", broken)
    with django_capture_on_commit_callbacks(execute=True):
        designate_zone(town.b1, "sealed", incident, at=local(7), reason="发现阳性")
    assert ZoneDesignation.objects.filter(place=town.b1).exists()
