"""The demo incident carries three days of daily reports on the report's own dates (第1–3期,
截至2022年3月7日/8日/9日24时) built from its own data: the help platform's figures of the
report (about 880 received, 840 closed by the third evening), the timeline and two public
notices; the live picture still has a desk at work now; loading again adds nothing."""

import datetime as dt

import pytest
from django.utils import timezone

from tongxin.command.demo import load_demo_command
from tongxin.command.models import DailyReport, Notice, ReportStatus, TimelineEntry
from tongxin.command.services import figures as fig
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
    assert [r.report_date for r in made] == [
        dt.date(2022, 3, 7),
        dt.date(2022, 3, 8),
        dt.date(2022, 3, 9),
    ]
    assert [reports.cutoff_label(r) for r in made] == [
        "截至3月7日24时",
        "截至3月8日24时",
        "截至3月9日24时",
    ]
    assert [timezone.localtime(r.cutoff_at) for r in made] == [
        timezone.make_aware(dt.datetime(2022, 3, d, 0, 0)) for d in (8, 9, 10)
    ]
    third = reports.figure_values(made[2].snapshot)
    # "至3月9日晚上，已受理各类咨询、求助信息880余条，已答复办结840余条"
    assert 880 <= third["helpdesk.received"] < 890
    assert 840 <= third["helpdesk.closed"] < 850
    first = reports.figure_values(made[0].snapshot)
    second = reports.figure_values(made[1].snapshot)
    assert 0 < first["helpdesk.received"] < second["helpdesk.received"] < third["helpdesk.received"]
    assert first["helpdesk.closed"] < second["helpdesk.closed"] < third["helpdesk.closed"]
    # The zones were designated in the report's days, so the first report shows them.
    assert first["zones.in_force"] > 0
    assert all(row["ok"] for r in made for row in r.reconciliation)
    assert made[2].texts["key_work"]
    assert {n.number for n in Notice.objects.filter(incident=incident)} == {1, 2}
    kinds = set(TimelineEntry.objects.filter(incident=incident).values_list("kind", flat=True))
    assert {"manual", "notice", "zone_designated"} <= kinds

    # The live picture is about now: the desk's queue has requests received today, some of
    # them overdue now, on top of the report's days.
    live = fig.raw_figures(incident)["helpdesk"]
    assert live["received"] > third["helpdesk.received"]
    assert live["open"] > 0 and live["overdue_now"] > 0
    today = fig.picture(incident)
    received_today = next(
        f["change"]
        for s in today["sections"]
        if s["module"] == "helpdesk"
        for f in s["figures"]
        if f["key"] == "received"
    )
    assert received_today > 0

    assert load_demo_command(incident, incident.started_at)["created"] == 0
    assert DailyReport.objects.filter(incident=incident).count() == 3
