"""An estate's untested list during the surge: read from the round's first samples a page at a
time (a bounded page size, household order, the total beside it), still scoped to what the
user may see, and audited exactly as before (issue 15, section 4)."""

import pytest
from django.urls import reverse

from tongxin.audit.models import AuditEvent
from tongxin.factories import PersonFactory
from tongxin.places.models import Place
from tongxin.sampling.services import coverage
from tongxin.sampling.services.coverage import untested, untested_page

from .conftest import event, local


@pytest.fixture
def crowded(world):
    """Ten more residents in 阳光小区 2幢 201: fifteen expected there in all."""
    home = world.homes["s2-201"]
    world.people["s2-201"] += [
        PersonFactory(name=f"住户{n:02d}", household=home) for n in range(10)
    ]
    return world


def test_pages_are_bounded_and_in_household_order(crowded, upload, monkeypatch):
    world = crowded
    upload([event(world.people["s1-101"][0], "P1", at=local(6, 8))])  # 张三 sampled
    everyone = untested(world.round, world.sunny)
    assert len(everyone) == 14

    pages = [untested_page(world.round, world.sunny, page=n, size=5) for n in (1, 2, 3)]
    assert [len(p["rows"]) for p in pages] == [5, 5, 4]
    assert {(p["total"], p["pages"], p["size"]) for p in pages} == {(14, 3, 5)}
    assert [r for p in pages for r in p["rows"]] == everyone
    assert "张三" not in [r["name"] for r in everyone]

    # Past the last page: the last page. Asked for more than the bound: the bound.
    assert untested_page(world.round, world.sunny, page=99, size=5)["page"] == 3
    monkeypatch.setattr(coverage, "UNTESTED_MAX_PAGE_SIZE", 4)
    bounded = untested_page(world.round, world.sunny, size=10_000)
    assert (len(bounded["rows"]), bounded["size"], bounded["pages"]) == (4, 4, 4)


def test_the_page_shows_one_page_and_the_total(crowded, client, monkeypatch):
    world = crowded
    monkeypatch.setattr(coverage, "UNTESTED_PAGE_SIZE", 10)
    client.force_login(world.users["leader"])
    url = reverse("sampling:untested", args=[world.round.pk, world.sunny.pk])
    first = client.get(url).content.decode()
    assert "15 人应检未检" in first
    assert "第 1 / 2 页" in first and "?page=2" in first
    second = client.get(url, {"page": "2"}).content.decode()
    assert "第 2 / 2 页" in second
    shown = [p.name for p in world.all_people() if p.name in first or p.name in second]
    assert len(shown) == 15
    assert not set(shown) & {p.name for p in world.people["hb3-301"]}
    for nonsense in ("x", "²", "9" * 5000):  # nonsense is the first page
        assert "第 1 / 2 页" in client.get(url, {"page": nonsense}).content.decode()


def test_still_scoped_to_the_unit(crowded, upload):
    world = crowded
    community = Place.objects.get(path=world.sunny.path[: -Place.steplen])  # 阳光 and 幸福小区
    mine = untested_page(world.round, community, user=world.users["leader"])
    assert mine["total"] == 15
    assert "钱七" not in [r["name"] for r in mine["rows"]]  # 幸福小区 is nobody's
    assert untested_page(world.round, community, user=world.users["command"])["total"] == 16
    assert untested_page(world.round, world.sunny, user=world.users["leader_b"]) == {
        "rows": [], "total": 0, "page": 1, "pages": 1, "size": coverage.UNTESTED_PAGE_SIZE,
    }  # fmt: skip


def test_audited_as_before_masked_only(crowded, client):
    """The list shows names and masked ID numbers, never a number or a phone; like the other
    masked lists it writes no audit event (revealing a number is what is audited)."""
    world = crowded
    client.force_login(world.users["leader"])
    before = AuditEvent.objects.count()
    url = reverse("sampling:untested", args=[world.round.pk, world.sunny.pk])
    text = client.get(url).content.decode()
    assert AuditEvent.objects.count() == before
    for person in world.people["s2-201"]:
        assert person.document_masked in text
        assert person.document_number not in text
