"""At the cut-off the figures are frozen: later data never changes a generated report, and
an issued report cannot be edited."""

import pytest

from tongxin.command.factories import help_request, local
from tongxin.command.models import ReportStatus
from tongxin.command.services import reports


def test_figures_frozen_at_cutoff_and_later_requests_do_not_change_the_report(world):
    incident = world.incident
    help_request(incident, local(7, 9), world.homes["sun"], closed_at=local(7, 15))
    help_request(incident, local(7, 10), world.homes["huabu"])
    report = reports.generate(incident, local(7).date(), now=local(8, 1))
    assert report.number == 1
    assert reports.cutoff_label(report) == "截至3月7日24时"
    values = reports.figure_values(report.snapshot)
    assert values["helpdesk.received"] == 2
    assert values["helpdesk.closed"] == 1
    assert values["helpdesk.open"] == 1

    # A request taken in after the cut-off, and one entered late for before it.
    help_request(incident, local(8, 2), world.homes["sun"])
    help_request(incident, local(7, 23), world.homes["sun"], phone="13700000001")
    again = reports.generate(incident, local(7).date(), now=local(8, 9))
    assert again.pk == report.pk
    assert reports.figure_values(again.snapshot) == values

    # The township breakdown is frozen too and adds up to the county.
    by_town = {
        t["township"]: t["figures"]["helpdesk"]["received"] for t in report.snapshot["townships"]
    }
    assert by_town == {"芹阳办事处": 1, "华埠镇": 1}


def test_no_report_before_its_cutoff(world):
    with pytest.raises(reports.ReportError):
        reports.generate(world.incident, local(7).date(), now=local(7, 23))


def test_issued_report_cannot_be_edited(world):
    report = reports.generate(world.incident, local(7).date(), now=local(8, 1))
    report = reports.edit(report, world.users["command"], {"key_work": "全员核酸第一轮"})
    report = reports.review(report, world.users["deputy"])
    report = reports.issue(report, world.users["command"])
    assert report.status == ReportStatus.ISSUED
    with pytest.raises(reports.ReportError):
        reports.edit(report, world.users["command"], {"key_work": "改动"})
    report.refresh_from_db()
    assert report.texts["key_work"] == "全员核酸第一轮"
