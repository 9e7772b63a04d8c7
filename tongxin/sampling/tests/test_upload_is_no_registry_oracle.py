"""The device upload names only people within the round's scope (or the point's area): a
resident registered elsewhere is answered exactly like a number the registry does not know,
without a name, and the audit trail records which people the batch resolved (issue 9,
item 2; the warning for a person from outside the round is issue 8, item 4)."""

from tongxin.audit.models import AuditEvent
from tongxin.factories import PersonFactory, household

from .conftest import event, local


def _answer(result):
    item = dict(result.results[0])
    item.pop("id")
    item.pop("person")
    return item


def test_outside_the_scope_no_name_and_the_same_answer_as_unregistered(world, upload):
    far = PersonFactory(
        name="高倩",
        household=household("远山小区", "5", "501", township="马金镇", community="马金社区"),
    )
    outside = upload([event(far, "O1", at=local(6, 8))])
    unknown = upload([event(None, "O2", at=local(6, 8, 1), document_number="330899199001011231")])

    answer = outside.results[0]
    assert answer["status"] == "stored"
    assert "高倩" not in str(outside.as_dict())
    assert answer["person"] == far.document_masked
    assert answer["warnings"] == ["not_listed"]
    assert _answer(outside) == {**_answer(unknown), "tube": "O1"}
    # The swab is still the resident's own.
    assert far.samples.count() == 1

    audit = AuditEvent.objects.filter(target_type="sampling.sampleevent").order_by("pk").first()
    assert audit.detail["people"] == [far.pk]
    assert audit.detail["not_listed"] == 1


def test_inside_the_scope_the_sampler_sees_the_name(world, upload):
    zhang = world.people["s1-101"][0]
    answer = upload([event(zhang, "I1")]).results[0]
    assert answer["person"] == f"张三 {zhang.document_masked}"
    assert "warnings" not in answer


def test_the_point_lookup_searches_only_the_rounds_scope(world, client):
    from django.urls import reverse

    # In the sampler's county town, but outside this round's scope.
    PersonFactory(name="郑十一", household=household("城南小区", "1", "101", community="城南社区"))
    client.force_login(world.users["sampler"])
    url = reverse("sampling:lookup", args=[world.round.pk, world.point.pk])
    assert client.post(url, {"q": "郑十一"}).json()["people"] == []
    assert [p["name"] for p in client.post(url, {"q": "张三"}).json()["people"]] == ["张三"]


def test_nothing_about_an_outsider_leaks_through_warnings(world, upload):
    from tongxin.zones.services import designate_zone

    home = household("远山小区", "5", "501", township="马金镇", community="马金社区")
    far = PersonFactory(name="高倩", household=home)
    designate_zone(home.parent, "sealed", world.incident, at=local(5, 21), reason="发现阳性",
                   decided_by=world.users["command"])  # fmt: skip
    upload([event(far, "O3", at=local(6, 7))])
    # Sampled before in the round and living in a sealed zone: the device hears neither.
    again = upload([event(far, "O4", at=local(6, 8))])
    stranger = upload([event(None, "O5", at=local(6, 8, 1), document_number="330899199001011231")])
    assert _answer(again) == {**_answer(stranger), "tube": "O4"}
    # The sample itself is still marked a repeat.
    assert far.samples.filter(repeat=True).count() == 1
