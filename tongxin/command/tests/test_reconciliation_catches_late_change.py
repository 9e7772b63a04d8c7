"""Today = yesterday + new − closed, against the previous report: a request entered late for
before yesterday's cut-off shows as a mismatch with its cause, not hidden."""

from tongxin.command.factories import help_request, local
from tongxin.command.services import reports


def test_consecutive_reports_reconcile(world):
    incident = world.incident
    help_request(incident, local(7, 9), world.homes["sun"], closed_at=local(7, 15))
    help_request(incident, local(7, 10), world.homes["huabu"])
    reports.generate(incident, local(7).date(), now=local(8, 1))
    help_request(incident, local(8, 9), world.homes["sun"], closed_at=local(8, 11))
    second = reports.generate(incident, local(8).date(), now=local(9, 1))
    assert second.number == 2
    rows = {r["key"]: r for r in second.reconciliation}
    assert rows["helpdesk.open"]["previous"] == 1
    assert rows["helpdesk.open"]["in"] == 1 and rows["helpdesk.open"]["out"] == 1
    assert all(r["ok"] for r in second.reconciliation)


def test_late_entry_for_yesterday_is_flagged_with_its_cause(world):
    incident = world.incident
    help_request(incident, local(7, 9), world.homes["sun"])
    first = reports.generate(incident, local(7).date(), now=local(8, 1))
    assert reports.figure_values(first.snapshot)["helpdesk.received"] == 1
    # Entered on the 8th for a call taken at 23:00 on the 7th (before the first cut-off).
    help_request(incident, local(7, 23), world.homes["sun"], phone="13700000001")
    help_request(incident, local(8, 10), world.homes["sun"], phone="13700000002")
    second = reports.generate(incident, local(8).date(), now=local(9, 1))
    rows = {r["key"]: r for r in second.reconciliation}
    received = rows["helpdesk.received"]
    assert received["previous"] == 1
    assert received["value"] == 3
    assert received["in"] == 1  # new in this period
    assert received["expected"] == 2
    assert received["ok"] is False
    assert received["difference"] == 1
    assert "补录" in received["cause"]
    # The open stock is off by the same request.
    assert rows["helpdesk.open"]["ok"] is False
    # Figures that did not move stay reconciled.
    assert rows["helpdesk.closed"]["ok"] is True
