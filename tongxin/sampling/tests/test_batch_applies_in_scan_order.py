"""Events of a batch apply in the order they were scanned: a close in the middle of a batch
refuses the later samples into that tube exactly as if the batch had been cut there, so an
offline handset's queue gives the same result however it is split (issue 8, item 15)."""

import itertools

import pytest

from tongxin.sampling.models import SampleEvent, Tube

from .conftest import event, local


def _scenario(world):
    a, b = world.people["s1-101"]
    c, d = world.people["s1-102"]
    return [
        event(a, "T", at=local(6, 8, 0)),
        event(b, "T", at=local(6, 8, 1)),
        {"id": "00000000-0000-4000-8000-000000000001", "kind": "close", "tube": "T",
         "at": local(6, 8, 2).isoformat()},
        event(c, "T", at=local(6, 8, 3)),
        event(d, "U", at=local(6, 8, 4)),
        {"id": "00000000-0000-4000-8000-000000000002", "kind": "close", "tube": "U",
         "at": local(6, 8, 5).isoformat()},
        event(world.people["s2-201"][0], "U", at=local(6, 8, 6)),
    ]  # fmt: skip


def _splits(n):
    for k in range(n):
        yield from itertools.combinations(range(1, n), k)


def _run(world, upload, cuts):
    events = _scenario(world)
    bounds = [0, *cuts, len(events)]
    outcome = []
    for lo, hi in itertools.pairwise(bounds):
        outcome += [(r["status"], r.get("reason")) for r in upload(events[lo:hi]).results]
    tubes = {t.barcode: (t.status, t.sample_count) for t in Tube.objects.all()}
    return outcome, tubes, SampleEvent.objects.count()


EXPECTED = (
    [("stored", None), ("stored", None), ("stored", None), ("refused", "tube_closed"),
     ("stored", None), ("stored", None), ("refused", "tube_closed")],
    {"T": ("closed", 2), "U": ("closed", 1)},
    3,
)  # fmt: skip


@pytest.mark.parametrize("cuts", list(_splits(7)), ids=str)
def test_every_split_of_the_queue_gives_the_same_result(world, upload, cuts):
    assert _run(world, upload, cuts) == EXPECTED
