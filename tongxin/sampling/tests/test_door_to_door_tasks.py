"""Households in a zone whose residents stay home, and bedridden exempted people, get
door-to-door tasks; a team works them household by household."""

from tongxin.sampling.models import DoorReason, DoorStatus, DoorTask, SamplingTeam
from tongxin.sampling.services import door
from tongxin.testing.models import ExemptionReason
from tongxin.testing.services.rounds import exempt
from tongxin.zones.services import designate_zone

from .conftest import event, local


def test_sealed_households_and_bedridden_people_get_tasks_once(world, upload):
    building_1 = world.homes["s1-101"].parent
    designate_zone(building_1, "sealed", world.incident, at=local(5, 22), reason="阳性楼栋",
                   decided_by=world.users["command"])  # fmt: skip
    zhao = world.people["s2-201"][0]
    exempt(world.round, zhao, ExemptionReason.BEDRIDDEN, note="卧床")

    made = door.plan_door_tasks(world.round, now=local(6, 7))
    assert made == {"sealed": 2, "bedridden": 1}
    assert door.plan_door_tasks(world.round, now=local(6, 7)) == {"sealed": 0, "bedridden": 0}
    sealed = DoorTask.objects.filter(reason=DoorReason.SEALED)
    assert set(sealed.values_list("household", flat=True)) == {
        world.homes["s1-101"].pk,
        world.homes["s1-102"].pk,
    }
    # np-8 gives sealed zones one tube (single) per person in pool_sizes.
    assert set(sealed.values_list("mode", flat=True)) == {"single"}

    team = SamplingTeam.objects.create(name="上门一组")
    team.members.add(world.users["sampler"])
    ids = list(DoorTask.objects.values_list("pk", flat=True))
    assert door.assign_tasks(world.users["command"], ids, team) == 3
    worklist = list(door.worklist(world.users["sampler"], team, world.round))
    assert [t.household.path for t in worklist] == sorted(t.household.path for t in worklist)

    # Both residents of 1幢101 sampled at the door: that household's task is done.
    task = sealed.get(household=world.homes["s1-101"])
    zhang, li = world.people["s1-101"]
    upload([event(zhang, "D1", door_task=task.pk), event(li, "D2", door_task=task.pk)],
           tube_mode="single")  # fmt: skip
    task.refresh_from_db()
    assert task.status == DoorStatus.DONE
    other = sealed.get(household=world.homes["s1-102"])
    door.mark_unreachable(world.users["sampler"], other.pk, "无人应门")
    other.refresh_from_db()
    assert (other.status, other.note) == (DoorStatus.UNREACHABLE, "无人应门")
