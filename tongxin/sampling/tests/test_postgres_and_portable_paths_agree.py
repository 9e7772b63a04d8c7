"""The bulk upload's PostgreSQL statements (arrays, ON CONFLICT … RETURNING, row locks) and the
portable path SQLite runs store the same rows and give the device the same answers for the same
batches: in-scope residents, a duplicate inside the batch, a resend, a reused id with other
content, a repeat in the round, a walk-in, an unregistered number, a resident from outside the
round, a resident of a sealed zone, a bad number and a tube closed early (issue 15).

On PostgreSQL both paths run against the same database, one after the other, each in a
transaction rolled back afterwards; on SQLite only the portable path exists, and the other
sampling tests cover it."""

from typing import Any

import pytest
from django.db import connection, transaction

from tongxin.core.idnumbers import check_char
from tongxin.factories import PersonFactory, household
from tongxin.people.models import Person
from tongxin.sampling.models import PointHour, RoundHousehold, SampledPerson, SampleEvent, Tube
from tongxin.sampling.services import _sql
from tongxin.zones.services import designate_zone

from .conftest import event, local

pytestmark = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="the PostgreSQL path runs on PostgreSQL only"
)


NEWCOMER = "33089919850202331" + check_char("33089919850202331")
UNREGISTERED = "330899199001011231"
BAD_CHECK_DIGIT = UNREGISTERED[:17] + ("2" if UNREGISTERED[17] != "2" else "3")


def _batches(world: Any) -> tuple[list[dict], list[dict]]:
    zhang, li = world.people["s1-101"]
    wang, wang_jr = world.people["s1-102"]
    zhao = world.people["s2-201"][0]
    far = PersonFactory(
        name="高倩",
        household=household("远山小区", "5", "501", township="马金镇", community="马金社区"),
    )
    designate_zone(zhao.household.parent, "sealed", world.incident, at=local(5, 21),
                   reason="发现阳性", decided_by=world.users["command"])  # fmt: skip
    earlier = [event(zhang, "PA1", at=local(6, 8)), event(li, "PA1", at=local(6, 8, 1))]
    resent = dict(earlier[0])
    reused = event(wang, "PA9", at=local(6, 9), id=earlier[1]["id"])
    twice = event(wang, "PA2", at=local(6, 9, 1))
    batch = [
        resent,
        reused,
        twice,
        dict(twice),
        event(wang_jr, "PA2", at=local(6, 9, 2)),
        event(zhang, "PA2", at=local(6, 9, 3)),  # sampled earlier in the round
        event(zhao, "PA2", at=local(6, 9, 4)),  # sealed zone
        event(far, "PA2", at=local(6, 9, 5)),  # outside the round's scope
        event(None, "PA3", at=local(6, 9, 6), document_number=UNREGISTERED),
        event(
            None,
            "PA3",
            at=local(6, 9, 7),
            document_number=NEWCOMER,
            walk_in={"name": "新来的"},
        ),
        event(None, "PA3", at=local(6, 9, 8), document_number=BAD_CHECK_DIGIT),  # bad
        event(None, "PA3", kind="close", at=local(6, 9, 9)),
        event(li, "PA3", at=local(6, 9, 10)),  # after the close: refused
    ]
    return earlier, batch


def _person(pk: int) -> tuple[str, str]:
    person = Person.objects.get(pk=pk)
    return person.name, person.document_number


def _stored() -> dict[str, Any]:
    """What the batches left in the database, with generated keys replaced by what they
    stand for (two runs number walk-ins and tubes differently)."""
    return {
        "events": sorted(
            (
                str(e.client_event_id),
                e.round_id,
                _person(e.person_id),
                e.household.path,
                e.tube.barcode,
                e.point_id,
                e.door_task_id,
                e.sampled_at,
                e.repeat,
                e.source,
            )
            for e in SampleEvent.objects.select_related("tube", "household")
        ),
        "tubes": sorted(
            Tube.objects.values_list(
                "barcode",
                "round_id",
                "point_id",
                "mode",
                "capacity",
                "status",
                "sample_count",
                "opened_at",
                "closed_at",
            )
        ),
        "sampled": sorted(
            (s.round_id, _person(s.person_id), s.path, s.expected, s.first_sampled_at)
            for s in SampledPerson.objects.all()
        ),
        "households": sorted(
            RoundHousehold.objects.values_list(
                "round_id", "path", "expected", "sampled", "sampled_other", "result_known"
            )
        ),
        "hours": sorted(
            {
                (r, p, h): sum(
                    PointHour.objects.filter(round_id=r, point_id=p, hour=h).values_list(
                        "samples", flat=True
                    )
                )
                for r, p, h in PointHour.objects.values_list("round_id", "point_id", "hour")
            }.items()
        ),
        "people": sorted(
            (p.name, p.document_number, p.household.path, p.residence_status)
            for p in Person.objects.select_related("household")
        ),
    }


def _run(upload: Any, batches: tuple[list, list], *, portable: bool, monkeypatch: Any) -> Any:
    with transaction.atomic():
        with monkeypatch.context() as patch:
            if portable:
                patch.setattr(_sql, "_pg", lambda: False)
            answers = [upload([dict(e) for e in batch]).as_dict() for batch in batches]
        stored = _stored()
        transaction.set_rollback(True)
    return answers, stored


def test_both_paths_store_the_same_rows_and_answer_alike(world, upload, monkeypatch):
    batches = _batches(world)
    pg_answers, pg_rows = _run(upload, batches, portable=False, monkeypatch=monkeypatch)
    portable_answers, portable_rows = _run(upload, batches, portable=True, monkeypatch=monkeypatch)

    assert pg_answers == portable_answers
    assert pg_rows == portable_rows
    # The scenario is the one described: every kind of answer occurs.
    statuses = [(r["status"], r.get("reason"), tuple(r.get("warnings", ())))
                for r in pg_answers[1]["results"]]  # fmt: skip
    assert statuses == [
        ("duplicate", None, ()),
        ("refused", "id_conflict", ()),
        ("stored", None, ()),
        ("duplicate", None, ()),
        ("stored", None, ()),
        ("stored", None, ("repeat",)),
        ("stored", None, ("sealed", "mode")),  # a sealed zone samples one to a tube
        ("stored", None, ("not_listed",)),
        ("stored", None, ("not_listed",)),
        ("stored", None, ("walk_in",)),
        ("refused", "bad_document", ()),
        ("stored", None, ()),
        ("refused", "tube_closed", ()),
    ]
    assert len(pg_rows["events"]) == 2 + 7
