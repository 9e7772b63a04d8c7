"""Tubes are counted at each handover; a count that differs is flagged and reported."""

import pytest

from tongxin.notifications.models import Notification
from tongxin.sampling.models import BoxStatus, HandoverStage, Tube
from tongxin.sampling.services import handover
from tongxin.sampling.services.handover import HandoverError

from .conftest import event, local


@pytest.fixture
def three_closed_tubes(world, upload):
    people = world.all_people()
    for i in range(3):
        upload([event(people[i], f"BX-{i}")], tube_mode="single")
    return ["BX-0", "BX-1", "BX-2"]


def test_counts_that_agree_pass_and_a_short_count_is_flagged(
    world, three_closed_tubes, django_capture_on_commit_callbacks
):
    sampler, lab = world.users["sampler"], world.users["lab"]
    box = handover.create_box(sampler, world.round, world.point, "BOX-001")
    packed = handover.pack(sampler, box.pk, [*three_closed_tubes, "NOT-A-TUBE"])
    assert packed.packed == three_closed_tubes
    assert packed.refused == [{"barcode": "NOT-A-TUBE", "message": "试管未登记"}]

    seal = handover.seal_box(sampler, box.pk, counted=3, now=local(6, 12))
    transport = handover.hand_to_transport(sampler, box.pk, "浙H·12345 王师傅", 3,
                                           now=local(6, 12, 10))  # fmt: skip
    assert seal.ok and transport.ok
    box.refresh_from_db()
    assert (box.status, box.mismatch, box.sealed_count) == (BoxStatus.IN_TRANSIT, False, 3)

    with django_capture_on_commit_callbacks(execute=True):
        step, detail = handover.receive_at_lab(
            lab, box.pk, "县疾控中心实验室", barcodes=["BX-0", "BX-2"], now=local(6, 13)
        )
    assert (step.stage, step.expected, step.counted, step.ok) == (HandoverStage.LAB, 3, 2, False)
    assert detail == {"missing": ["BX-1"], "unexpected": []}
    box.refresh_from_db()
    assert (box.status, box.mismatch) == (BoxStatus.RECEIVED, True)
    note = Notification.objects.get(kind="handover_mismatch")
    assert "BOX-001" in note.title and "应有 3 管，清点 2 管" in note.body


def test_a_packer_miscount_is_flagged_at_sealing(world, three_closed_tubes):
    sampler = world.users["sampler"]
    box = handover.create_box(sampler, world.round, world.point, "BOX-002")
    handover.pack(sampler, box.pk, three_closed_tubes)
    step = handover.seal_box(sampler, box.pk, counted=4, now=local(6, 12))
    assert (step.expected, step.counted, step.ok) == (3, 4, False)
    box.refresh_from_db()
    assert box.mismatch


def test_open_tubes_and_tubes_in_another_box_are_not_packed(world, upload, three_closed_tubes):
    sampler = world.users["sampler"]
    upload([event(world.all_people()[5], "OPEN-1")])  # a 10-in-1 tube, still open
    first = handover.create_box(sampler, world.round, world.point, "BOX-003")
    handover.pack(sampler, first.pk, ["BX-0"])
    second = handover.create_box(sampler, world.round, world.point, "BOX-004")
    result = handover.pack(sampler, second.pk, ["BX-0", "OPEN-1", "BX-1"])
    assert result.packed == ["BX-1"]
    assert [r["message"] for r in result.refused] == ["试管已装入其他转运箱", "试管尚未封管"]
    assert Tube.objects.get(barcode="BX-0").box == first
    with pytest.raises(HandoverError):
        handover.create_box(sampler, world.round, world.point, "BOX-003")
