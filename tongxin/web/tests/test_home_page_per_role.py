"""The home page shows each role what it works with."""

from django.urls import reverse


def test_command_post_sees_county_figures(login, world):
    from tongxin.incidents.models import Incident, PolicyEdition

    edition = PolicyEdition.objects.first() or PolicyEdition.objects.create(
        code="ed9", name="第九版", effective_from="2022-06-28"
    )
    Incident.objects.create(
        name="2022-03 开化疫情", started_at="2022-03-01T00:00Z", policy_edition=edition
    )
    html = login("command").get(reverse("home")).content.decode()
    assert "全县概况" in html
    figures = {label: value for value, label in _figures(html)}
    assert figures["登记居民"] == "7"
    assert figures["户数"] == "5"
    assert figures["小区与自然村"] == "3"
    assert figures["包干单位"] == "2"
    assert figures["进行中的响应事件"] == "1"
    assert "2022-03 开化疫情" in html
    assert reverse("audit") in html


def _figures(html):
    import re

    return re.findall(r'class="figure[^>]*><b>(\d+)</b><span>([^<]+)</span>', html)


def test_unit_leader_sees_own_estates_with_counts(login, world):
    html = login("leader").get(reverse("home")).content.decode()
    assert "本单位包干的地点" in html
    assert "阳光小区" in html
    assert "华埠小区" not in html and "幸福小区" not in html
    assert "全县概况" not in html
    # 阳光小区: 3 households, 4 residents
    row = html[html.index("阳光小区") :]
    assert "户数 <b>3</b>" in row and "居民 <b>4</b>" in row


def test_grid_staff_sees_grid_roles_and_buildings(login, world):
    from tongxin.units.models import BuildingAssignment, GridRole, GridRoleKind

    grid = world.users["grid"]
    building = world.households["sun-1-101"].parent
    GridRole.objects.create(user=grid, place=world.sunshine, role=GridRoleKind.GRID_LEADER)
    BuildingAssignment.objects.create(user=grid, place=building)
    # Outside the unit's jurisdiction: never shown even if someone recorded it.
    BuildingAssignment.objects.create(user=grid, place=world.households["huabu-3-301"].parent)
    html = login("grid").get(reverse("home")).content.decode()
    assert "我的网格职务" in html and "网格长" in html
    assert "我包的楼" in html and building.address in html
    assert "华埠" not in html


def test_other_roles_get_a_short_page_of_what_they_can_do(login, world):
    html = login("investigator").get(reverse("home")).content.decode()
    assert "您可以在这里" in html
    assert reverse("residents") in html
    assert reverse("imports") not in html
    assert "全县概况" not in html and "本单位包干的地点" not in html


def test_sysadmin_gets_admin_and_audit_links(login, world):
    html = login("sysadmin").get(reverse("home")).content.decode()
    assert "系统管理" in html
    assert reverse("admin:index") in html
    assert reverse("audit") in html


def test_home_needs_login(client, world):
    response = client.get(reverse("home"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_expired_session_sends_htmx_requests_to_the_login_page(client, world):
    place_url = reverse("place", args=[world.sunshine.pk])
    response = client.get(
        place_url,
        headers={
            "HX-Request": "true",
            "HX-Target": "place-panel",
            "HX-Current-URL": "http://testserver/places/",
        },
    )
    assert response["HX-Redirect"] == reverse("login") + "?next=%2Fplaces%2F"
    assert b"<html" not in response.content
