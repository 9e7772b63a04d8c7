"""A pooled tube takes up to N people; a full or closed tube refuses with a clear message."""

from tongxin.sampling.models import SampleEvent, Tube, TubeStatus

from .conftest import event, local


def test_a_full_tube_refuses_the_next_person(world, upload):
    people = world.all_people()  # eight people
    batch = [
        event(p, "POOL5", at=local(6, 8, i), tube_mode="pool", tube_capacity=5)
        for i, p in enumerate(people[:6])
    ]
    result = upload(batch)
    assert [r["status"] for r in result.results] == ["stored"] * 5 + ["refused"]
    refused = result.results[-1]
    assert refused["reason"] == "tube_full"
    assert refused["message"] == "试管 POOL5 已满（5/5 人），请换新管"
    tube = Tube.objects.get(barcode="POOL5")
    assert (tube.sample_count, tube.status) == (5, TubeStatus.FULL)
    assert tube.closed_at == local(6, 8, 4)

    # Later, from another upload: still refused, and nothing is stored.
    late = upload([event(people[6], "POOL5", at=local(6, 9))])
    assert late.results[0]["reason"] == "tube_full"
    assert SampleEvent.objects.filter(tube=tube).count() == 5


def test_a_closed_tube_refuses_and_closing_twice_is_harmless(world, upload):
    people = world.all_people()
    upload([event(people[0], "P10", at=local(6, 8)), event(people[1], "P10", at=local(6, 8, 1))])
    close = {"id": "6f1c1f0e-8a43-4c55-9d53-1a4f0c7a0001", "kind": "close", "tube": "P10",
             "at": local(6, 8, 5).isoformat()}  # fmt: skip
    assert upload([close]).results[0]["status"] == "stored"
    assert upload([close]).results[0]["status"] == "duplicate"
    tube = Tube.objects.get(barcode="P10")
    assert (tube.status, tube.sample_count, tube.closed_at) == (
        TubeStatus.CLOSED,
        2,
        local(6, 8, 5),
    )

    refused = upload([event(people[2], "P10", at=local(6, 9))]).results[0]
    assert refused["status"] == "refused"
    assert refused["reason"] == "tube_closed"
    assert refused["message"] == "试管 P10 已封管，不能再加样，请换新管"


def test_a_single_tube_takes_one_person(world, upload):
    a, b = world.all_people()[:2]
    result = upload([event(a, "S1"), event(b, "S1")], tube_mode="single")
    assert [r["status"] for r in result.results] == ["stored", "refused"]
    assert Tube.objects.get(barcode="S1").status == TubeStatus.FULL


def test_a_household_tube_takes_only_that_household(world, upload):
    zhang, li = world.people["s1-101"]
    wang = world.people["s1-102"][0]
    result = upload([event(zhang, "H1"), event(wang, "H1"), event(li, "H1")], tube_mode="household")
    assert [r["status"] for r in result.results] == ["stored", "refused", "stored"]
    assert result.results[1]["reason"] == "tube_other_household"
    tube = Tube.objects.get(barcode="H1")
    assert (tube.capacity, tube.sample_count, tube.status) == (2, 2, TubeStatus.FULL)
