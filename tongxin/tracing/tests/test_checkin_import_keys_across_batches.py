"""The set-based import keeps the keys of the row-by-row one it replaced (a file imported before
and after an upgrade still stores once) and its counts do not depend on the batch size."""

import uuid

import pytest

from tongxin.factories import make_id_number
from tongxin.tracing.factories import VenueFactory
from tongxin.tracing.models import CheckIn, OutsidePerson
from tongxin.tracing.services import checkins
from tongxin.tracing.services.checkins import NAMESPACE, import_rows

from .conftest import local


def test_the_row_key_is_the_uuid5_of_incident_venue_identity_and_entry(world):
    from tongxin.core import crypto

    VenueFactory(code="K1")
    zhang = world.one("1801")
    import_rows(
        world.incident,
        [
            {
                "venue_code": "K1",
                "document_number": zhang.document_number,
                "entered_at": "2022-03-09 10:00:00",
            }
        ],
    )
    bidx = crypto.blind_index("resident_id", zhang.document_number)
    epoch = f"{local(9, 10).timestamp():.0f}"
    expected = uuid.uuid5(NAMESPACE, f"{world.incident.pk}|K1|doc:resident_id:{bidx}|{epoch}")
    assert CheckIn.objects.get().row_key == expected


@pytest.mark.parametrize("preload", [False, True], ids=["asked per batch", "registry preloaded"])
def test_counts_and_outside_persons_do_not_depend_on_the_batch_size(world, monkeypatch, preload):
    if preload:  # what a big import does: the registry's blind indexes read once
        monkeypatch.setattr(checkins, "PRELOAD_AT", 1)
    VenueFactory(code="K2")
    zhang = world.one("1801")
    visitor = make_id_number(region="330802")

    def row(n, who, entered, exited=""):
        return {"_row": n, "venue_code": "K2", "document_number": who, "entered_at": entered,
                "exited_at": exited}  # fmt: skip

    rows = [
        row(2, visitor, "2022-03-09 10:00"),
        row(3, zhang.document_number, "2022-03-09 10:00", "2022-03-09 09:00"),
        row(4, visitor, "2022-03-09 11:00"),
        row(5, visitor, "2022-03-09 10:00"),
        row(6, zhang.document_number, "2022-03-09 12:00"),
    ]
    summary = import_rows(world.incident, rows, batch_size=2)
    assert summary.as_dict() == {
        "rows": 5,
        "stored": 3,
        "duplicate": 1,  # row 5 repeats row 2, in another batch
        "unmatched": 3,
        "rejected": 1,
        "rejected_reasons": {"exit": 1},
    }
    assert summary.errors[0]["row"] == 3
    # The visitor, seen in three batches, is one outside person with both scans.
    assert OutsidePerson.objects.count() == 1
    assert CheckIn.objects.filter(outside_person__isnull=False).count() == 2
    assert CheckIn.objects.filter(person=zhang).count() == 1
