"""A unit sees only its own estates' coverage and untested lists; anything else is 404."""

from django.urls import reverse

from tongxin.sampling.services.coverage import coverage_report, untested

from .conftest import event, local


def test_the_unit_report_covers_its_estate_only(world, upload):
    upload([event(world.people["s1-101"][0], "U1", at=local(6, 8))])
    upload([event(world.people["hb3-301"][0], "U2", at=local(6, 8))], user="command",
           point=world.huabu_point)  # fmt: skip
    mine = coverage_report(world.round, user=world.users["leader"])
    assert mine["area"]["name"] == "阳光小区"
    assert (mine["should_test"], mine["sampled"], mine["untested"]) == (5, 1, 4)
    assert {c["name"] for c in mine["children"]} == {"1幢", "2幢"}
    assert mine["points"][0]["name"] == "阳光小区东门采样点"
    assert [p["name"] for p in mine["points"]] == ["阳光小区东门采样点"]

    theirs = coverage_report(world.round, user=world.users["leader_b"])
    assert theirs["area"]["name"] == "华埠小区"
    assert (theirs["should_test"], theirs["sampled"]) == (2, 1)

    # Asked about someone else's estate, the service finds nobody there for this user.
    assert untested(world.round, world.huabu, user=world.users["leader"]) == []
    assert coverage_report(world.round, world.huabu, user=world.users["leader"])["should_test"] == 0


def test_pages_and_api_answer_404_outside_the_unit(world, client):
    client.force_login(world.users["leader"])
    coverage = reverse("sampling:coverage", args=[world.round.pk])
    assert client.get(coverage).status_code == 200
    assert client.get(coverage, {"area": world.sunny.pk}).status_code == 200
    assert client.get(coverage, {"area": world.huabu.pk}).status_code == 404
    assert (
        client.get(reverse("sampling:untested", args=[world.round.pk, world.huabu.pk])).status_code
        == 404
    )

    mine = client.get(reverse("sampling:untested", args=[world.round.pk, world.sunny.pk]))
    assert mine.status_code == 200
    text = mine.content.decode()
    assert "张三" in text and "孙八" not in text
    assert world.people["s1-101"][0].document_number not in text

    api = f"/api/v1/sampling/rounds/{world.round.pk}/coverage"
    assert client.get(api, {"area": world.sunny.pk}).json()["should_test"] == 5
    assert client.get(api, {"area": world.huabu.pk}).status_code == 404
    whole = client.get(api).json()
    assert whole["area"]["name"] == "阳光小区"
