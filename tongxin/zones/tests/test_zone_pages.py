import pytest
from django.urls import reverse
from django.utils import timezone

from tongxin.factories import PersonFactory, UnitFactory, assign
from tongxin.places.models import Place
from tongxin.zones.models import ZoneDesignation
from tongxin.zones.services import designate_zone, record_area_round

from .conftest import local

pytestmark = pytest.mark.django_db


def test_the_command_post_designates_changes_and_lifts_through_the_pages(
    client, town, incident, chief
) -> None:
    client.force_login(chief)
    search = client.get(reverse("zones:designate"), {"q": "阳光小区 1幢"})
    assert search.status_code == 200 and town.b1 in search.context["results"]

    url = reverse("zones:designate") + f"?incident={incident.pk}&place={town.b1.pk}"
    form = client.get(url)
    assert [c[0] for c in form.context["form"].fields["kind"].choices] == [
        "sealed", "controlled", "prevention",
    ]  # fmt: skip
    response = client.post(
        url,
        {"kind": "sealed", "at": "2022-03-07T02:30", "reason": "1幢发现阳性", "place": town.b1.pk},
    )
    zone = ZoneDesignation.objects.get(place=town.b1)
    assert response.status_code == 302 and response.url == reverse("zones:detail", args=[zone.pk])
    assert (zone.kind, zone.decided_by, zone.recorded_by) == ("sealed", chief, chief)
    assert zone.effective_from == local(7, 2, 30)

    again = client.post(url, {"kind": "controlled", "at": "2022-03-07T03:00", "reason": "重复"})
    assert again.status_code == 200 and "已划定为封控区" in again.content.decode()

    response = client.post(
        reverse("zones:change", args=[zone.pk]),
        {"kind": "controlled", "at": "2022-03-14T09:00", "reason": "降级"},
    )
    lowered = ZoneDesignation.objects.get(place=town.b1, effective_until=None)
    assert response.url == reverse("zones:detail", args=[lowered.pk])
    assert lowered.supersedes == zone

    client.post(
        reverse("zones:lift", args=[lowered.pk]), {"at": "2022-03-20T09:00", "reason": "解除"}
    )
    lowered.refresh_from_db()
    assert lowered.effective_until == local(20, 9) and lowered.ended_how == "lifted"
    detail = client.get(reverse("zones:detail", args=[lowered.pk])).content.decode()
    assert "解除时间" in detail and "1幢发现阳性" in detail  # the history is on the page


def test_a_zone_shows_its_rules_residents_households_and_units(
    client, town, incident, chief
) -> None:
    PersonFactory.create_batch(2, household=town.h101)
    PersonFactory(household=town.h201)
    unit = UnitFactory(name="县水利局")
    assign(unit, town.sunny)
    zone = designate_zone(town.sunny, "controlled", incident, at=local(6), reason="管控")
    client.force_login(chief)
    response = client.get(reverse("zones:detail", args=[zone.pk]))
    html = response.content.decode()
    assert (response.context["residents"], response.context["households"]) == (3, 3)
    counts = {h.pk: h.resident_count for h in response.context["household_page"]}
    assert counts == {town.h101.pk: 2, town.h201.pk: 1, Place.objects.get(parent=town.b3).pk: 0}
    assert "不得出区" in html and "10合1混采" in html and "县水利局" in html
    assert "距末例阳性" in html


def test_the_board_proposes_and_the_command_post_accepts(client, town, incident, chief) -> None:
    zone = designate_zone(town.b1, "prevention", incident, at=local(6), reason="防范")
    record_area_round(incident, town.b1, local(20, 8), all_negative=True)
    client.force_login(chief)
    listing = client.get(reverse("zones:list"), {"at": "2022-03-20T12:00"})
    assert [r["designation"] for r in listing.context["proposals"]] == [zone]
    assert "同意解除" not in listing.content.decode()  # no decisions on a past view
    # Today (long after 20 March) the round is outside the window: nothing proposed.
    assert client.get(reverse("zones:list")).context["proposals"] == []


def test_a_round_recorded_on_the_page_counts_for_lifting(client, town, incident, chief) -> None:
    zone = designate_zone(town.b1, "prevention", incident, at=local(6), reason="防范")
    client.force_login(chief)
    now = timezone.localtime().strftime("%Y-%m-%dT%H:%M")
    client.post(
        reverse("zones:record_round", args=[zone.pk]),
        {"completed_at": now, "all_negative": "1", "reference": "第5轮"},
    )
    listing = client.get(reverse("zones:list"))
    assert [r["designation"] for r in listing.context["proposals"]] == [zone]
    response = client.post(reverse("zones:accept", args=[zone.pk]), {"next": reverse("zones:list")})
    assert response.status_code == 302 and response.url == reverse("zones:list")
    zone.refresh_from_db()
    assert zone.ended_how == "lifted" and "连续14天无新增阳性" in zone.end_reason


def test_a_zone_shows_its_special_populations(client, town, incident, chief) -> None:
    from tongxin.care.models import NeedKind
    from tongxin.care.services.registry import add_need

    elder, other = PersonFactory(household=town.h101), PersonFactory(household=town.h201)
    add_need(chief, elder, NeedKind.ELDERLY_ALONE)
    add_need(chief, other, NeedKind.ELDERLY_ALONE)
    zone = designate_zone(town.sunny, "controlled", incident, at=local(6), reason="管控")
    client.force_login(chief)
    response = client.get(reverse("zones:detail", args=[zone.pk]))
    assert response.context["special_populations"] == {str(NeedKind.ELDERLY_ALONE.label): 2}
    assert "重点人群" in response.content.decode()
