"""The demo county carries a help desk in mid-operation: the report's three days (from the
opening evening of 6 March 2022) and the desk at work now, across categories and states,
built fast, the same every time, and only once."""

import datetime as dt
import io
import json
from typing import Any

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from tongxin.demo.tests.conftest import load_demo
from tongxin.helpdesk.demo import DEMO_SOURCE, load_demo_helpdesk
from tongxin.helpdesk.models import Category, HelpRequest, RequestEvent, Status
from tongxin.incidents.models import Incident

pytestmark = pytest.mark.django_db


def test_a_help_desk_in_mid_operation(client: Any) -> None:
    load_demo()  # `tongxin demo` loads the help desk with the rest of the incident
    incident = Incident.objects.get(name="2022-03 疫情（演示）")
    now = timezone.now()

    requests = HelpRequest.objects.filter(source_label=DEMO_SOURCE)
    loaded = requests.count()
    assert loaded >= 300
    statuses = set(requests.values_list("status", flat=True))
    assert {Status.CLOSED, Status.RECEIVED, Status.DISPATCHED, Status.CLAIMED,
            Status.IN_PROGRESS, Status.MERGED} <= statuses  # fmt: skip
    assert requests.filter(reopened_count__gt=0).exclude(status=Status.CLOSED).exists()
    assert requests.open().filter(was_overdue=True, escalation_level__gt=0).exists()
    assert set(requests.values_list("category", flat=True)) == set(Category.values)
    assert requests.filter(person__isnull=False).count() > 100
    assert requests.filter(received_at__lt=now - dt.timedelta(hours=60)).exists()
    assert requests.filter(received_at__gt=now - dt.timedelta(hours=12)).exists()
    assert not requests.filter(received_at__gt=now).exists()
    assert not requests.filter(received_at__lt=incident.started_at).exists()
    # Numbers run on per day without gaps.
    for day in {n[2:10] for n in requests.values_list("number", flat=True)}:
        seqs = sorted(
            int(n.rsplit("-", 1)[1])
            for n in requests.filter(number__contains=day).values_list("number", flat=True)
        )
        assert seqs == list(range(1, len(seqs) + 1))

    # The report's sentence, produced by the platform for the report's three days: "至3月9日
    # 晚上，已受理各类咨询、求助信息880余条，已答复办结840余条".
    out = io.StringIO()
    call_command(
        "helpdesk", "stats", "--from", "2022-03-06T21:00", "--to", "2022-03-10T00:00", "--json",
        stdout=out,
    )  # fmt: skip
    total = json.loads(out.getvalue())["total"]
    assert 880 <= total["received"] < 890 and 840 <= total["answered_and_closed"] < 850

    # Every state is one the pages can show.
    from tongxin.accounts.models import User

    for username, url in [
        ("helpdesk", reverse("helpdesk:queue")),
        ("command_post", reverse("helpdesk:county")),
        ("support_team", reverse("helpdesk:team")),
    ]:
        client.force_login(User.objects.get(username=username))
        assert client.get(url).status_code == 200, url

    # Idempotent: a second run adds nothing.
    events = RequestEvent.objects.count()
    again = load_demo_helpdesk(incident, now + dt.timedelta(minutes=5))
    assert again["created"] == 0
    assert HelpRequest.objects.count() == loaded
    assert RequestEvent.objects.count() == events
