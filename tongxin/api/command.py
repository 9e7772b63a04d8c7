"""The command picture for machines: the dashboard's figures and a daily report's snapshot.

    GET /api/v1/command/dashboard?incident=ID&area=PLACE
    GET /api/v1/command/reports/{number}?incident=ID

Counts only (no personal data). A unit leader's dashboard covers the unit's estates; an area
outside it is 404, as is a report for a role that may not read reports.
"""

from typing import Any

from django.http import Http404, HttpRequest
from ninja import Router

from tongxin.command.models import DailyReport
from tongxin.command.services import dashboard, reports
from tongxin.command.services import figures as fig

router = Router(tags=["command"])


@router.get("/dashboard")
def dashboard_figures(
    request: HttpRequest, incident: int | None = None, area: int | None = None
) -> dict[str, Any]:
    found = dashboard.current_incident(incident)
    scope = dashboard.scope_for(request.user, area)
    return fig.cached_picture(found, scope.areas)


@router.get("/reports/{number}")
def daily_report(request: HttpRequest, number: int, incident: int | None = None) -> dict[str, Any]:
    found = dashboard.current_incident(incident)
    report = (
        DailyReport.objects.visible_to(request.user).filter(incident=found, number=number).first()
    )
    if report is None:
        raise Http404
    return {
        **reports.rows(report),
        "reconciliation_ok": all(r["ok"] for r in report.reconciliation),
    }
