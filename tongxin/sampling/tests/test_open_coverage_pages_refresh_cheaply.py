"""Cadres keep the coverage pages open during the morning surge and the pages refresh
themselves (issue 15, section 4): the summary's figures alone, rendered once per worker and
answered `304 Not Modified` while they have not changed (counts only: the browser may keep
them, for this user); the untested list alone, which names people and so is never kept nor
answered 304, still scoped and masked."""

import time

import pytest
from django.core.cache import caches
from django.urls import reverse

from tongxin.accounts.models import Role
from tongxin.audit.models import AuditEvent
from tongxin.factories import PersonFactory, UserFactory
from tongxin.sampling import views
from tongxin.sampling.services import coverage

from .conftest import event, local

FIGURES = {"HTTP_HX_REQUEST": "true", "HTTP_HX_TARGET": "coverage-figures"}
LIST = {"HTTP_HX_REQUEST": "true", "HTTP_HX_TARGET": "untested-list"}


@pytest.fixture
def shared(settings):
    settings.TONGXIN_COVERAGE_CACHE_SECONDS = 30
    caches["shared"].clear()
    views._figures_html.clear()
    yield
    caches["shared"].clear()
    views._figures_html.clear()


def _figures(client, world, **headers):
    return client.get(reverse("sampling:coverage", args=[world.round.pk]), **FIGURES, **headers)


def test_the_figures_alone_then_not_modified_while_unchanged(world, upload, shared, client):
    upload([event(world.people["s1-101"][0], "F1", at=local(6, 8))])
    client.force_login(world.users["leader"])
    first = _figures(client, world)
    assert first.status_code == 200
    text = first.content.decode()
    assert text.startswith('<div id="coverage-figures"') and 'hx-trigger="every 30s"' in text
    assert '<nav class="nav"' not in text  # the part, not the page
    etag = first["ETag"]
    control = first["Cache-Control"]
    assert "private" in control and "no-cache" in control and "no-store" not in control

    again = _figures(client, world, HTTP_IF_NONE_MATCH=etag)
    assert again.status_code == 304 and again.content == b""
    assert again["ETag"] == etag

    # The whole page carries the same figures, and is still never kept (CSRF token, user).
    whole = client.get(reverse("sampling:coverage", args=[world.round.pk]))
    assert text in whole.content.decode()
    assert "no-store" in whole["Cache-Control"] and not whole.has_header("ETag")


def test_a_kept_figure_is_refreshed_when_the_tally_changes(
    world, upload, shared, client, monkeypatch
):
    client.force_login(world.users["leader"])
    first = _figures(client, world)
    assert "<b>0</b><span>已采样</span>" in first.content.decode()
    upload([event(world.people["s1-101"][0], "F2", at=local(6, 8))])
    # Within the window the figures are the window's (and so is the answer) ...
    assert _figures(client, world, HTTP_IF_NONE_MATCH=first["ETag"]).status_code == 304
    # ... once it is over, the new count, a new ETag, never the old HTML.
    later = time.time() + 31
    monkeypatch.setattr(coverage.time, "time", lambda: later)
    second = _figures(client, world, HTTP_IF_NONE_MATCH=first["ETag"])
    assert second.status_code == 200
    assert "<b>1</b><span>已采样</span>" in second.content.decode()
    assert second["ETag"] != first["ETag"]


def test_another_unit_never_gets_the_first_unit_s_figures(world, upload, shared, client):
    upload([event(world.people["s1-101"][0], "F3", at=local(6, 8))])
    client.force_login(world.users["leader"])
    mine = _figures(client, world)
    assert "阳光小区" in mine.content.decode()

    client.force_login(world.users["leader_b"])  # 县卫健局: 华埠小区 only
    theirs = _figures(client, world, HTTP_IF_NONE_MATCH=mine["ETag"])
    assert theirs.status_code == 200
    assert theirs["ETag"] != mine["ETag"]
    assert "阳光小区" not in theirs.content.decode()
    building = world.homes["hb3-301"].parent  # 华埠小区's building: their only child
    assert f">{building.name}</a>" in theirs.content.decode()

    # A colleague of the first unit shares its figures (same ETag, rendered once).
    unit = world.users["leader"].unit
    colleague = UserFactory(username="leader2", role=Role.UNIT_LEADER, unit=unit)
    client.force_login(colleague)
    assert _figures(client, world, HTTP_IF_NONE_MATCH=mine["ETag"]).status_code == 304
    assert len(views._figures_html) == 2


def test_the_untested_list_refreshes_alone_never_kept_never_304(world, client):
    world.people["s1-101"].append(
        PersonFactory(name="<b>赵</b>&六", household=world.homes["s1-101"])
    )
    client.force_login(world.users["leader"])
    url = reverse("sampling:untested", args=[world.round.pk, world.sunny.pk])
    whole = client.get(url).content.decode()
    assert 'id="untested-list"' in whole and 'hx-trigger="every 30s"' in whole

    before = AuditEvent.objects.count()
    part = client.get(url, HTTP_IF_NONE_MATCH='"anything"', **LIST)
    assert part.status_code == 200  # personal data: never answered from the browser's copy
    text = part.content.decode()
    assert text.startswith('<div id="untested-list"') and '<nav class="nav"' not in text
    assert "no-store" in part["Cache-Control"] and not part.has_header("ETag")
    assert AuditEvent.objects.count() == before  # a masked list, audited as the whole page is
    # The same rows as the whole page, escaped, masked.
    assert "&lt;b&gt;赵&lt;/b&gt;&amp;六" in text and "<b>赵</b>" not in text
    for person in world.people["s1-101"]:
        assert person.document_masked in text
        assert person.document_number not in text
    assert text.count('<li class="card">') == 3  # 101, 102, 2幢 201
    assert "钱七" not in text  # 幸福小区 is not 阳光小区

    client.force_login(world.users["leader_b"])  # another unit: nothing of 阳光小区
    assert client.get(url, **LIST).status_code == 404
