"""Issue 9, item 2, on repeats: uploading the same number again and again must not tell a
person registered outside the device's reach from a number the registry did not know before
the first upload (which made a walk-in of it). Every answer, first and repeats, is the same."""

from tongxin.factories import PersonFactory, household

from .conftest import event, local

UNKNOWN = "330899199001011231"


def _answer(result):
    item = dict(result.results[0])
    item.pop("id")
    item.pop("tube", None)
    return item


def _rest(result):
    """The rest of the answer, with the tubes by position rather than barcode."""
    whole = dict(result.as_dict())
    whole.pop("results")
    whole["tubes"] = list(whole.get("tubes", {}).values())
    return whole


def test_every_repeat_answers_the_same_for_elsewhere_and_unknown(world, upload):
    far = PersonFactory(
        name="高倩",
        household=household("远山小区", "5", "501", township="马金镇", community="马金社区"),
    )
    masked_far = far.document_masked
    for n in range(3):
        outside = upload([event(far, f"R{n}A", at=local(6, 8, n * 2))])
        unknown = upload(
            [event(None, f"R{n}B", at=local(6, 8, n * 2 + 1), document_number=UNKNOWN)]
        )
        a, b = _answer(outside), _answer(unknown)
        assert "高倩" not in str(outside.as_dict())
        # The masked numbers differ (they are the numbers sent); nothing else may.
        assert a.pop("person") == masked_far
        assert b.pop("person") != masked_far
        assert a == b, f"upload {n + 1}: {a} != {b}"
        assert _rest(outside) == _rest(unknown), f"upload {n + 1}"
    # The swabs are stored against the people all the same (three each).
    assert far.samples.count() == 3


def test_a_walk_in_the_sampler_named_is_answered_with_that_name_each_time(world, upload):
    named = {"name": "钱新", "building": None}
    for n in range(2):
        answer = upload(
            [event(None, f"W{n}", at=local(6, 9, n), document_number=UNKNOWN, walk_in=named)]
        ).results[0]
        assert answer["person"].startswith("钱新 ")


def test_the_point_lookup_does_not_find_the_walk_in_an_unknown_number_made(world, upload, client):
    from django.urls import reverse

    far = PersonFactory(
        name="高倩",
        household=household("远山小区", "5", "501", township="马金镇", community="马金社区"),
    )
    upload([event(far, "L1", at=local(6, 8))])
    upload([event(None, "L2", at=local(6, 8, 1), document_number=UNKNOWN)])
    client.force_login(world.users["sampler"])
    url = reverse("sampling:lookup", args=[world.round.pk, world.point.pk])
    assert client.post(url, {"q": UNKNOWN[-4:]}).json()["people"] == []
    assert client.post(url, {"q": far.document_number[-4:]}).json()["people"] == []
