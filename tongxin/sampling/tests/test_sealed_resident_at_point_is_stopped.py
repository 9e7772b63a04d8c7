"""A resident of a sealed zone (封控区: stays home, sampled at the door, single tube) scanned at
a public point is stopped with a clear warning; at the door nothing is said (issue 8, item 3)."""

from tongxin.sampling.models import DoorReason, DoorTask
from tongxin.zones.services import designate_zone

from .conftest import event, local


def test_a_sealed_resident_scanned_at_a_point_is_stopped(world, upload):
    building = world.homes["s1-101"].parent
    designate_zone(building, "sealed", world.incident, at=local(5, 21), reason="发现阳性",
                   decided_by=world.users["command"])  # fmt: skip
    sealed = world.people["s1-101"][0]
    free = world.people["s2-201"][0]
    result = upload([event(sealed, "P10", at=local(6, 8)), event(free, "P10", at=local(6, 8, 1))])
    first, second = result.results
    assert first["status"] == "stored"
    assert "sealed" in first["warnings"]
    assert first["message"].startswith("停！此人住在封控区")
    assert "warnings" not in second


def test_at_the_door_the_same_resident_is_expected(world, upload):
    household = world.homes["s1-101"]
    designate_zone(household.parent, "sealed", world.incident, at=local(5, 21),
                   reason="发现阳性", decided_by=world.users["command"])  # fmt: skip
    task = DoorTask.objects.create(
        round=world.round, household=household, reason=DoorReason.SEALED, mode="single"
    )
    person = world.people["s1-101"][0]
    result = upload([event(person, "D1", door_task=task.pk, tube_mode="single")])
    assert result.results[0]["status"] == "stored"
    assert "warnings" not in result.results[0]
