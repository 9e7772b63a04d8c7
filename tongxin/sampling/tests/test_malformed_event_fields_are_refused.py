"""An event whose fields have the wrong JSON type (a list where a mode or a document type
belongs) is refused with its reason, like any other invalid event: the rest of the batch is
stored, the upload does not fail."""

from tongxin.sampling.models import SampleEvent

from .conftest import event


def test_a_list_or_object_where_a_word_belongs_is_refused(world, upload):
    a, b, c, d = world.all_people()[:4]
    result = upload(
        [
            event(a, "M1"),
            event(b, "M2", tube_mode=["pool_10"]),
            event(c, "M3", document_type={"kind": "resident_id"}),
            event(d, "M4", kind=["close"]),
        ]
    )
    assert [(r["status"], r.get("reason")) for r in result.results] == [
        ("stored", None),
        ("refused", "bad_mode"),
        ("refused", "bad_document"),
        ("refused", "bad_kind"),
    ]
    assert result.results[1]["message"] == "采样方式无效"
    assert result.results[2]["message"] == "证件号码无效"
    assert SampleEvent.objects.count() == 1
