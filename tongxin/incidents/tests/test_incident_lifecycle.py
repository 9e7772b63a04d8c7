import datetime as dt

import pytest

from tongxin.incidents.models import Incident, PolicyEdition
from tongxin.incidents.services import IncidentError, close_incident, open_incident, switch_policy

pytestmark = pytest.mark.django_db

MARCH_5 = dt.datetime(2022, 3, 5, 20, 0, tzinfo=dt.UTC)


def test_both_national_editions_are_loaded_as_data() -> None:
    eighth = PolicyEdition.objects.get(code="np-8")
    ninth = PolicyEdition.objects.get(code="np-9")
    assert eighth.rule("close_contact", "centralized_days") == 14
    assert ninth.rule("close_contact", "centralized_days") == 7
    assert ninth.rule("close_contact", "test_days") == [1, 2, 3, 5, 7]
    assert [z["name"] for z in eighth.rule("zone_kinds")] == ["封控区", "管控区", "防范区"]


def test_closing_an_incident_starts_the_retention_clock() -> None:
    incident = open_incident("2022-03 开化疫情", PolicyEdition.objects.get(code="np-8"), MARCH_5)
    closed = close_incident(incident, MARCH_5 + dt.timedelta(days=40))
    assert closed.ended_at == MARCH_5 + dt.timedelta(days=40)
    assert closed.retention_days == 30
    # Ended 2022-04-14 20:00 UTC, which is 04:00 on 15 April in the county's time zone.
    assert closed.purge_due_on == dt.date(2022, 4, 15) + dt.timedelta(days=30)


def test_an_incident_closes_once() -> None:
    incident = open_incident("2022-03 开化疫情", PolicyEdition.objects.get(code="np-8"), MARCH_5)
    close_incident(incident, MARCH_5 + dt.timedelta(days=1))
    with pytest.raises(IncidentError):
        close_incident(incident, MARCH_5 + dt.timedelta(days=2))


def test_switching_edition_changes_the_rules_in_force() -> None:
    incident = open_incident("2022-06 疫情", PolicyEdition.objects.get(code="np-8"), MARCH_5)
    switch_policy(incident, PolicyEdition.objects.get(code="np-9"))
    incident = Incident.objects.get(pk=incident.pk)
    assert incident.policy_edition.rule("zone_lifting", "days_without_new_case") == 7
