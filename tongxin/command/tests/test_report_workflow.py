"""Draft → edited → reviewed (by someone other than the last editor) → issued, by permitted
roles; issuing sends a short summary to the inbox and the units' group robots."""

import pytest
from django.test import TestCase

from tongxin.command.factories import help_request, local
from tongxin.command.models import ReportStatus
from tongxin.command.services import reports
from tongxin.notifications.models import Notification


@pytest.fixture
def draft(world):
    help_request(world.incident, local(7, 9), world.homes["sun"], closed_at=local(7, 15))
    return reports.generate(world.incident, local(7).date(), now=local(8, 1))


def test_full_workflow_and_summary(world, draft):
    assert draft.status == ReportStatus.DRAFT
    with pytest.raises(reports.ReportError):
        reports.review(draft, world.users["deputy"])  # nothing written yet
    edited = reports.edit(draft, world.users["command"], {"key_work": "完成第一轮全员核酸"})
    assert edited.status == ReportStatus.EDITED
    with pytest.raises(reports.ReportError):
        reports.issue(edited, world.users["command"])  # not reviewed
    with pytest.raises(reports.ReportError):
        reports.review(edited, world.users["command"])  # the editor reviewing their own text
    reviewed = reports.review(edited, world.users["deputy"])
    with TestCase.captureOnCommitCallbacks(execute=True):
        issued = reports.issue(reviewed, world.users["command"])
    assert issued.status == ReportStatus.ISSUED
    note = Notification.objects.get(kind="daily_report_issued")
    assert "第1期" in note.title
    assert "求助平台受理：1" in note.body


@pytest.mark.parametrize("who", ["leader", "grid", "helpdesk"])
def test_other_roles_may_not_edit_review_or_issue(world, draft, who):
    user = world.users[who]
    with pytest.raises(reports.NotPermitted):
        reports.edit(draft, user, {"key_work": "x"})
    with pytest.raises(reports.NotPermitted):
        reports.review(draft, user)
    with pytest.raises(reports.NotPermitted):
        reports.issue(draft, user)
    with pytest.raises(reports.NotPermitted):
        reports.generate(world.incident, local(8).date(), user=user, now=local(9, 1))


def test_api_report_has_the_xlsx_tables(world, draft):
    from django.test import Client

    from .conftest import PASSWORD

    client = Client()
    client.login(username="command", password=PASSWORD)
    body = client.get("/api/v1/command/reports/1").json()
    assert list(body) == [*reports.rows(draft), "reconciliation_ok"]
    assert body["report"][0]["number"] == 1
    assert client.get("/api/v1/command/reports/2").status_code == 404
