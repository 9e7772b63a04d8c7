"""A positive pooled tube recalls exactly its members; the recall closes when each has a
single-tube result."""

from tongxin.notifications.models import Notification
from tongxin.sampling.models import (
    DoorReason,
    DoorStatus,
    DoorTask,
    PositivePerson,
    Recall,
    RecallStatus,
    TemporaryControl,
)
from tongxin.sampling.services.recalls import recalls_report
from tongxin.sampling.services.results import import_result_rows
from tongxin.zones.models import PositiveFinding
from tongxin.zones.services import designate_zone

from .conftest import event, local


def result(barcode, word, hour, minute=0):
    return {"barcode": barcode, "result": word, "lab": "县疾控中心",
            "reported_at": local(6, hour, minute).isoformat()}  # fmt: skip


def test_a_positive_pool_recalls_its_members_and_closes_when_all_have_results(
    world, upload, django_capture_on_commit_callbacks
):
    designate_zone(world.sunny, "controlled", world.incident, at=local(5, 21),
                   reason="发现阳性", decided_by=world.users["command"])  # fmt: skip
    zhang, li = world.people["s1-101"]
    wang = world.people["s1-102"][0]
    other = world.people["s2-201"][0]
    upload([event(p, "POOL-A", at=local(6, 8, i)) for i, p in enumerate([zhang, li, wang])])
    upload([event(other, "POOL-B", at=local(6, 9))])

    with django_capture_on_commit_callbacks(execute=True):
        summary = import_result_rows(
            [result("POOL-A", "阳性", 20), result("POOL-B", "阴性", 20)], now=local(6, 20, 5)
        )
    assert summary["positive_tubes"] == ["POOL-A"]
    recall = Recall.objects.get()
    assert summary["recalls_raised"] == [recall.pk]
    members = {m.person_id: m for m in recall.members.all()}
    assert set(members) == {zhang.pk, li.pk, wang.pk}
    assert members[zhang.pk].zone_name == "管控区"
    assert members[zhang.pk].units == ["县人民医院采样队", "县水利局"]
    # Each member: under temporary control, with a single-tube task at the door.
    assert TemporaryControl.objects.active().filter(recall=recall).count() == 3
    tasks = DoorTask.objects.filter(reason=DoorReason.RECALL)
    assert set(tasks.values_list("person_id", flat=True)) == {zhang.pk, li.pk, wang.pk}
    assert set(tasks.values_list("mode", flat=True)) == {"single"}
    # The command post and the responsible units heard about it.
    note = Notification.objects.get(kind="recall_raised")
    assert "POOL-A" in note.title
    assert zhang.document_number not in note.body

    # Resampled at the door, one single tube each.
    for i, person in enumerate([zhang, li, wang]):
        task = tasks.get(person=person)
        upload(
            [event(person, f"RE-{i}", at=local(6, 22, i), door_task=task.pk)],
            tube_mode="single", now=local(6, 23),
        )  # fmt: skip
    assert set(tasks.values_list("status", flat=True)) == {DoorStatus.DONE}

    import_result_rows(
        [result("RE-0", "阴性", 23, 30), result("RE-1", "阴性", 23, 31)], now=local(6, 23, 32)
    )
    recall.refresh_from_db()
    assert recall.status == RecallStatus.OPEN
    with django_capture_on_commit_callbacks(execute=True):
        last = import_result_rows([result("RE-2", "阳性", 23, 40)], now=local(6, 23, 41))
    assert last["recall_members_resulted"] == 1
    recall.refresh_from_db()
    assert recall.status == RecallStatus.CLOSED
    # Negative members are released; the positive one is now a positive person.
    assert list(
        TemporaryControl.objects.active().filter(recall=recall).values_list("person", flat=True)
    ) == [wang.pk]
    positive = PositivePerson.objects.get()
    assert (positive.person, positive.recall) == (wang, recall)
    assert PositiveFinding.objects.filter(reference="RE-2", place=wang.household).exists()

    report = recalls_report(world.round)
    assert [r["tube"] for r in report] == ["POOL-A"]
    assert report[0]["status"] == "closed"
    assert {m["result"] for m in report[0]["members"]} == {"negative", "positive"}
    assert all(zhang.document_number not in str(m) for m in report[0]["members"])


def test_a_unit_sees_only_its_members_of_a_recall(world, upload):
    zhang = world.people["s1-101"][0]
    sun = world.people["hb3-301"][0]
    upload([event(zhang, "MIX"), event(sun, "MIX", at=local(6, 8, 1))])
    import_result_rows([result("MIX", "阳性", 20)], now=local(6, 20, 5))
    mine = recalls_report(world.round, world.users["leader_b"])
    assert [m["name"] for m in mine[0]["members"]] == [sun.name]
    assert recalls_report(world.round, world.users["lab"])[0]["members"].__len__() == 2
