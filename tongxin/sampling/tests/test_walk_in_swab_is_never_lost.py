"""A swab from somebody not in the registry is stored, counted in its tube, flagged in
现场登记待核实 and recalled with the tube (issue 8, item 2)."""

from django.db import connection

from tongxin.people.models import Person
from tongxin.sampling.models import Recall, SampleEvent, Tube, WalkIn
from tongxin.sampling.services.results import import_result_rows
from tongxin.sampling.services.walkins import complete_walk_in

from .conftest import event, local

UNREGISTERED = "330899199001011231"


def test_an_unregistered_number_is_sampled_flagged_and_recalled(world, upload):
    registered = world.people["s1-101"] + world.people["s1-102"]
    events = [event(p, "TXE0001", at=local(6, 8, i)) for i, p in enumerate(registered)]
    walk_in_event = event(None, "TXE0001", at=local(6, 8, 9), document_number=UNREGISTERED)
    result = upload([*events, walk_in_event])

    answer = result.results[-1]
    assert answer["status"] == "stored"
    assert answer["warnings"] == ["not_listed"]
    assert answer["person"] == "330899********1231"
    assert "名单中没有此人" in answer["message"]
    assert result.tubes["TXE0001"]["count"] == 5
    assert Tube.objects.get(barcode="TXE0001").sample_count == 5

    # Registered with what the card says, the number encrypted like every resident's.
    person = Person.objects.with_document("resident_id", UNREGISTERED).get()
    assert person.document_number == UNREGISTERED
    with connection.cursor() as cursor:
        table = connection.ops.quote_name(Person._meta.db_table)
        cursor.execute(f"SELECT * FROM {table} WHERE id = %s", [person.pk])  # noqa: S608
        raw = " ".join(str(v) for v in cursor.fetchone())
    assert UNREGISTERED not in raw
    walk_in = WalkIn.objects.get(person=person)
    assert walk_in.needs_details and walk_in.point == world.point
    assert SampleEvent.objects.get(client_event_id=walk_in_event["id"]).person == person

    # The tube comes back positive: the recall lists all five, the walk-in among them.
    import_result_rows(
        [{"barcode": "TXE0001", "result": "阳性", "lab": "县疾控中心",
          "reported_at": local(6, 20).isoformat()}],
        now=local(6, 20, 5),
    )  # fmt: skip
    recall = Recall.objects.get(tube__barcode="TXE0001")
    members = set(recall.members.values_list("person_id", flat=True))
    assert members == {p.pk for p in registered} | {person.pk}


def test_the_same_walk_in_twice_in_a_batch_is_one_person(world, upload):
    result = upload(
        [
            event(None, "W1", document_number=UNREGISTERED),
            event(None, "W2", at=local(6, 8, 5), document_number=UNREGISTERED),
        ]
    )
    assert [r["status"] for r in result.results] == ["stored", "stored"]
    assert Person.objects.with_document("resident_id", UNREGISTERED).count() == 1
    assert "repeat" in result.results[1]["warnings"]


def test_bad_walk_in_details_still_keep_the_swab(world, upload):
    details = {"name": "新来的", "building": 999999, "room": "101"}
    result = upload([event(None, "W3", document_number=UNREGISTERED, walk_in=details)])
    assert result.results[0]["status"] == "stored"
    person = Person.objects.with_document("resident_id", UNREGISTERED).get()
    assert person.name == "新来的"
    assert WalkIn.objects.get(person=person).needs_details


def test_the_sampler_completes_name_and_address_afterwards(world, upload):
    sample = event(None, "W4", document_number=UNREGISTERED)
    upload([sample])
    building = world.homes["s1-101"].parent
    complete_walk_in(
        world.users["sampler"], round_id=world.round.pk, point_id=world.point.pk,
        event_id=sample["id"], name="吴十", building_id=building.pk, room="302",
    )  # fmt: skip
    person = Person.objects.with_document("resident_id", UNREGISTERED).get()
    assert person.name == "吴十"
    assert person.household.parent == building
    assert not WalkIn.objects.get(person=person).needs_details


def test_the_pending_building_is_not_offered_as_a_home(world, upload):
    from tongxin.sampling.services.walkins import PENDING_BUILDING_KEY, buildings_for_walk_ins

    upload([event(None, "W5", document_number=UNREGISTERED)])
    person = Person.objects.with_document("resident_id", UNREGISTERED).get()
    assert person.household.parent.key == PENDING_BUILDING_KEY
    offered = buildings_for_walk_ins(world.round.pk)
    assert person.household.parent not in offered
    assert world.homes["s1-101"].parent in offered
