"""Who was in a positive pool, and who tested positive, is health data: every page, API answer
or report that lists them leaves an audit event naming the people shown."""

from django.urls import reverse

from tongxin.audit.models import AuditAction, AuditEvent
from tongxin.sampling.models import PositivePerson, Recall
from tongxin.sampling.services.results import import_result_rows

from .conftest import event, local


def _positive_pool(world, upload):
    zhang = world.people["s1-101"][0]
    sun = world.people["hb3-301"][0]
    wang = world.people["s1-102"][0]
    upload([event(zhang, "MIX"), event(sun, "MIX", at=local(6, 8, 1))])
    upload([event(wang, "ONE", at=local(6, 9))], tube_mode="single")
    import_result_rows(
        [
            {
                "barcode": b,
                "result": "阳性",
                "lab": "县疾控中心",
                "reported_at": local(6, 20).isoformat(),
            }
            for b in ("MIX", "ONE")
        ],
        now=local(6, 20, 5),
    )
    return wang, sun


def _views(user):
    return AuditEvent.objects.filter(action=AuditAction.VIEW, actor=user)


def test_the_recall_page_records_the_members_it_shows(world, upload, client):
    _wang, sun = _positive_pool(world, upload)
    leader = world.users["leader_b"]
    client.force_login(leader)
    recall = Recall.objects.get()
    response = client.get(reverse("sampling:recall", args=[recall.pk]))
    assert response.status_code == 200
    assert sun.name in response.content.decode()
    event_ = _views(leader).get(target_id=str(recall.pk))
    assert event_.detail["members"] == [sun.pk]  # only the members this unit may see


def test_the_recalls_api_and_positives_page_are_audited(world, upload, client):
    wang, _sun = _positive_pool(world, upload)
    command = world.users["command"]
    client.force_login(command)
    answer = client.get(f"/api/v1/sampling/rounds/{world.round.pk}/recalls")
    assert answer.status_code == 200
    assert len(answer.json()[0]["members"]) == 2
    recall_event = _views(command).get(target_type="sampling.recall")
    assert sorted(recall_event.detail["members"]) == sorted(
        m["person_id"] for m in answer.json()[0]["members"]
    )

    assert PositivePerson.objects.filter(person=wang).exists()
    response = client.get(reverse("sampling:positives"))
    assert response.status_code == 200
    assert wang.name in response.content.decode()
    listed = _views(command).get(target_type="sampling.positiveperson")
    assert listed.detail["people"] == [wang.pk]
