"""The demo county has people on duty and supplies moving: reinforcement teams, seven
temporary party branches, volunteers (some to verify), shifts with gaps, someone who has
worked too long, a warehouse running low and a vegetable-package round under way."""

from typing import Any

from django.test import Client
from django.utils import timezone

from tongxin.accounts.models import Role, User
from tongxin.demo.county import DEMO_PASSWORD
from tongxin.incidents.models import Incident
from tongxin.supplies.models import HouseholdDelivery, Warehouse
from tongxin.supplies.services.stock import stock_report
from tongxin.workforce.models import Member, PartyBranch, Team, Verification
from tongxin.workforce.services.coverage import coverage
from tongxin.workforce.services.figures import figures


def test_demo_workforce(demo: Any) -> None:
    incident = Incident.objects.get()
    assert {t.kind for t in Team.objects.filter(incident=incident)} >= {"medical", "police"}
    assert PartyBranch.objects.filter(incident=incident).count() == 7
    volunteers = Member.objects.filter(incident=incident, is_volunteer=True)
    assert volunteers.filter(verification=Verification.PENDING).exists()
    assert volunteers.filter(home__isnull=False).exists()  # living in a sealed building
    today = coverage(incident, timezone.localdate())
    assert today.totals["assigned"] > 0 and today.totals["gap"] > 0
    data = figures(incident)
    assert data["fatigue_warnings"] >= 1 and data["on_duty"] > 0
    member = User.objects.get(username=Role.MEMBER)
    client = Client()
    assert client.login(username=member.username, password=DEMO_PASSWORD)
    page = client.get("/workforce/me/").content.decode()
    assert "我的班次" in page


def test_demo_supplies(demo: Any) -> None:
    report = stock_report(Warehouse.objects.all())
    assert any(e["low"] for wh in report for e in wh["items"])
    deliveries = HouseholdDelivery.objects.all()
    assert deliveries.filter(delivered_at__isnull=False).exists()
    assert deliveries.filter(delivered_at__isnull=True).exists()
