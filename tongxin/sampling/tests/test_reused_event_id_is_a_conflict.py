"""Finding 9: an event id reused for different content is reported as a conflict, not as a
duplicate that would silently drop the new sample."""

from tongxin.sampling.models import SampleEvent

from .conftest import event, local


def test_a_reused_id_with_other_content_is_refused_as_a_conflict(world, upload):
    zhang, li = world.all_people()[:2]
    first = event(zhang, "T200", at=local(6, 8))
    assert upload([first]).stored == 1

    same_again = upload([dict(first)])
    assert [r["status"] for r in same_again.results] == ["duplicate"]

    reused = event(li, "T201", at=local(6, 9), id=first["id"])
    result = upload([reused])
    assert [r["status"] for r in result.results] == ["refused"]
    assert result.results[0]["reason"] == "id_conflict"
    assert "另一条不同的采样记录" in result.results[0]["message"]
    assert (result.duplicate, result.refused) == (0, 1)
    assert SampleEvent.objects.count() == 1
