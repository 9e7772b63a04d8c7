import datetime as dt

import pytest
from django.apps import apps

from tongxin.accounts.models import User
from tongxin.directives import services
from tongxin.incidents.models import Incident
from tongxin.places.models import Place, PlaceKind

from .conftest import T0, Team

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(
        not apps.is_installed("tongxin.zones"), reason="the zones app is not installed"
    ),
]


def test_a_directive_to_a_zone_reaches_every_unit_with_estates_in_it(
    incident: Incident, chief: User, water: Team, health: Team, outsider: Team
) -> None:
    from tongxin.zones.services import designate_zone

    sunny = Place.objects.get(kind=PlaceKind.ESTATE, name="阳光小区")
    zone = designate_zone(sunny, "controlled", incident, at=T0, reason="发现阳性", decided_by=chief)

    directive = services.issue_directive(
        incident=incident, issued_by=chief, title="管控区全员核酸", text="明早6点开始",
        deadline=T0 + dt.timedelta(hours=12), zone=zone.pk, units=[health.unit],
        now=T0 + dt.timedelta(minutes=5),
    )  # fmt: skip

    assert sorted(t.unit.name for t in directive.targets.all()) == ["县卫健局", "县水利局"]
    assert directive.zone_designation_id == zone.pk
    assert "阳光小区" in directive.zone_label
    assert (zone.pk, f"{zone.place} · {zone.kind_name}") in services.zone_options(chief)


def test_an_unknown_zone_is_refused(incident: Incident, chief: User) -> None:
    with pytest.raises(services.DirectiveError):
        services.issue_directive(
            incident=incident, issued_by=chief, title="x", text="x", zone=999999,
            deadline=T0 + dt.timedelta(hours=1), now=T0,
        )  # fmt: skip
