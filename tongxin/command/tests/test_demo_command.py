"""The demo incident carries three days of daily reports built from its own data: the help
platform's figures of the report (about 880 received, 840 closed by the third evening), the
timeline and two public notices; loading again adds nothing."""

import datetime as dt

import pytest

from tongxin.command.demo import load_demo_command
from tongxin.command.models import DailyReport, Notice, ReportStatus, TimelineEntry
from tongxin.command.services import reports
from tongxin.demo.tests.conftest import load_demo
from tongxin.incidents.models import Incident

pytestmark = pytest.mark.django_db


def test_three_days_of_reports_from_the_demo_data():
    load_demo()
    incident = Incident.objects.get(name="2022-03 疫情（演示）")
    made = list(DailyReport.objects.filter(incident=incident).order_by("number"))
    assert [r.number for r in made] == [1, 2, 3]
    assert [r.status for r in made] == [
        ReportStatus.ISSUED,
        ReportStatus.ISSUED,
        ReportStatus.EDITED,
    ]
    days = [r.report_date for r in made]
    assert days[1] - days[0] == days[2] - days[1] == dt.timedelta(days=1)
    third = reports.figure_values(made[2].snapshot)
    # By the evening of day 3 (the demo's cut-off: the time it was loaded at).
    assert 880 <= third["helpdesk.received"] <= 890
    assert 840 <= third["helpdesk.closed"] <= 850
    first = reports.figure_values(made[0].snapshot)
    assert first["helpdesk.received"] < third["helpdesk.received"]
    assert all(row["ok"] for r in made for row in r.reconciliation)
    assert made[2].texts["key_work"]
    assert {n.number for n in Notice.objects.filter(incident=incident)} == {1, 2}
    kinds = set(TimelineEntry.objects.filter(incident=incident).values_list("kind", flat=True))
    assert {"manual", "notice", "zone_designated"} <= kinds

    assert load_demo_command(incident, incident.started_at)["created"] == 0
    assert DailyReport.objects.filter(incident=incident).count() == 3
