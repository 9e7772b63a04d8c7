"""Sampling the same person twice in a round is stored but warned about."""

from tongxin.sampling.models import SampleEvent

from .conftest import event, local


def test_a_second_sample_in_the_round_warns_with_the_first_time(world, upload):
    zhang = world.people["s1-101"][0]
    first = upload([event(zhang, "A1", at=local(6, 8, 15))])
    assert "warnings" not in first.results[0]

    second = upload([event(zhang, "A2", at=local(6, 10))]).results[0]
    assert second["status"] == "stored"
    assert second["warnings"] == ["repeat"]
    assert second["message"] == "此人本轮已于 03-06 08:15 采样，已再次登记，请确认"
    assert SampleEvent.objects.filter(person=zhang).count() == 2
    assert SampleEvent.objects.filter(person=zhang, repeat=True).count() == 1


def test_twice_in_one_batch_warns_too(world, upload):
    zhang = world.people["s1-101"][0]
    result = upload([event(zhang, "A3"), event(zhang, "A3", at=local(6, 8, 1))])
    assert [r.get("warnings") for r in result.results] == [None, ["repeat"]]
