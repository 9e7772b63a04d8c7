"""Every sampling page opens for the roles that use it, refuses the others, and never shows a
whole ID number."""

import io

import pytest
from django.urls import reverse

from tongxin.sampling.services import handover
from tongxin.sampling.services.results import import_result_rows

from .conftest import event, local


@pytest.fixture
def busy(world, upload):
    people = world.all_people()
    upload([event(p, "PG-1", at=local(6, 8, i)) for i, p in enumerate(people[:3])])
    upload([event(people[3], "PG-S", at=local(6, 9))], tube_mode="single")
    import_result_rows(
        [
            {
                "barcode": "PG-1",
                "result": "阳性",
                "lab": "县疾控中心",
                "reported_at": local(6, 20).isoformat(),
            }
        ],
        now=local(6, 20, 1),
    )
    box = handover.create_box(world.users["sampler"], world.round, world.point, "PG-BOX")
    handover.pack(world.users["sampler"], box.pk, ["PG-S"])
    return world


def _pages(world):
    r = world.round.pk
    from tongxin.sampling.models import Box, Recall

    return {
        "index": reverse("sampling:index"),
        "round": reverse("sampling:round", args=[r]),
        "point": reverse("sampling:point", args=[r, world.point.pk]),
        "coverage": reverse("sampling:coverage", args=[r]),
        "estate": reverse("sampling:coverage", args=[r]) + f"?area={world.sunny.pk}",
        "untested": reverse("sampling:untested", args=[r, world.sunny.pk]),
        "recalls": reverse("sampling:recalls", args=[r]),
        "recall": reverse("sampling:recall", args=[Recall.objects.get().pk]),
        "positives": reverse("sampling:positives"),
        "door": reverse("sampling:door", args=[r]),
        "boxes": reverse("sampling:boxes"),
        "box": reverse("sampling:box", args=[Box.objects.get().pk]),
        "results": reverse("sampling:results"),
        "walk_ins": reverse("sampling:walk_ins"),
    }


@pytest.mark.parametrize(
    ("user", "allowed"),
    [
        ("command", {"index", "round", "point", "coverage", "estate", "untested", "recalls",
                     "recall", "positives", "door", "boxes", "box", "results", "walk_ins"}),
        ("sampler", {"index", "round", "point", "coverage", "estate", "untested", "recalls",
                     "recall", "positives", "door", "boxes", "box", "walk_ins"}),
        ("leader", {"index", "round", "coverage", "estate", "untested", "recalls", "recall",
                    "positives", "door", "walk_ins"}),
        # Not the door-to-door list: names and why people are sampled at home.
        ("lab", {"index", "round", "recalls", "recall", "positives", "boxes", "box",
                 "results", "walk_ins"}),
    ],
)  # fmt: skip
def test_pages_open_for_their_roles(busy, client, user, allowed):
    client.force_login(busy.users[user])
    numbers = [p.document_number for p in busy.all_people()]
    for name, url in _pages(busy).items():
        response = client.get(url)
        expected = 200 if name in allowed else 403
        assert response.status_code == expected, (name, response.status_code)
        if response.status_code == 200:
            body = response.content.decode()
            assert not any(n in body for n in numbers), name


def test_the_lab_uploads_a_results_file(world, upload, client):
    upload([event(world.all_people()[0], "LAB-1")])
    client.force_login(world.users["lab"])
    data = (
        "试管条码,检测结果,检测机构,报告时间\n"
        "LAB-1,阴性,县疾控中心,2022-03-06 20:00\n"
        "ZZZ,阴性,县疾控中心,2022-03-06 20:00\n"
    )
    upload_file = io.BytesIO(data.encode())
    upload_file.name = "results.csv"
    response = client.post(reverse("sampling:results"), {"file": upload_file})
    assert response.status_code == 200
    body = response.content.decode()
    assert "ZZZ" in body
    assert response.context["summary"]["accepted"] == 1
    assert response.context["summary"]["unknown_count"] == 1


def test_the_point_lookup_is_scoped_and_masked(world, client):
    client.force_login(world.users["sampler"])
    url = reverse("sampling:lookup", args=[world.round.pk, world.point.pk])
    found = client.post(url, {"q": "张三"}).json()["people"]
    assert [p["name"] for p in found] == ["张三"]
    assert found[0]["document_masked"] == world.people["s1-101"][0].document_masked
    assert "document_number" not in found[0]
    # 孙八 lives in 华埠镇, outside the sampling team's county town.
    assert client.post(url, {"q": "孙八"}).json()["people"] == []
    assert client.get(url).status_code == 405
