"""Finding 8: the door-to-door list (names, 卧床/行动不便) is not a lab's business."""

from django.test import Client

from tongxin.sampling.models import DoorTask
from tongxin.sampling.services import door
from tongxin.testing.models import ExemptionReason
from tongxin.testing.services.rounds import exempt

from .conftest import local


def test_lab_liaison_gets_403_and_an_empty_queryset(world):
    zhao = world.people["s2-201"][0]
    exempt(world.round, zhao, ExemptionReason.BEDRIDDEN, note="卧床")
    door.plan_door_tasks(world.round, now=local(6, 7))
    assert DoorTask.objects.exists()
    lab = world.users["lab"]
    assert not DoorTask.objects.visible_to(lab).exists()
    client = Client()
    client.force_login(lab)
    response = client.get(f"/sampling/rounds/{world.round.pk}/door/")
    assert response.status_code == 403
    assert "赵六" not in response.content.decode()
    # The command post and the sampler still see theirs.
    assert DoorTask.objects.visible_to(world.users["command"]).count() == 1
    chief = Client()
    chief.force_login(world.users["command"])
    assert "赵六" in chief.get(f"/sampling/rounds/{world.round.pk}/door/").content.decode()
