"""The figures — per day and per category: received, answered, closed, overdue, median minutes
to first contact and to closing, satisfaction — equal a hand count of a fixture of requests,
from the service, the `tongxin helpdesk stats --json` command and the page alike."""

import datetime as dt
import io
import json
from typing import Any

import pytest
from django.core.management import call_command
from django.urls import reverse

from tongxin.helpdesk.services import (
    claim,
    close,
    compute,
    dispatch,
    follow_up,
    log_contact,
    merge,
)

from .conftest import Team, ask

pytestmark = pytest.mark.django_db

CST = dt.timezone(dt.timedelta(hours=8))


def local(day: int, hour: int, minute: int = 0) -> dt.datetime:
    return dt.datetime(2022, 3, day, hour, minute, tzinfo=CST)


START, END = local(6, 18), local(8, 21)
LATER = dt.datetime(2030, 1, 1, tzinfo=dt.UTC)
m = dt.timedelta(minutes=1)


def work(request: Any, team: Team, desk: Any, *, contact: int | None, closed: int | None) -> Any:
    """Dispatch at once; reach the resident `contact` minutes after receipt; close after
    `closed` minutes."""
    at = request.received_at
    dispatch(request, team.unit, desk, now=at + 1 * m)
    claim(request, team.a, now=at + 2 * m)
    if contact is not None:
        log_contact(request, team.a, "called", now=at + contact * m)
    if closed is not None:
        close(request, team.a, "已办理", now=at + closed * m)
    request.refresh_from_db()
    return request


@pytest.fixture
def fixture(desk, supplies: Team) -> dict[str, Any]:
    def go(text: str, n: int, at: dt.datetime, contact: int | None, closed: int | None,
           **fields: Any) -> Any:  # fmt: skip
        return work(ask(text, f"139000000{n:02d}", at=at, **fields), supplies, desk,
                    contact=contact, closed=closed)  # fmt: skip

    r: dict[str, Any] = {}
    # 6 March (the platform opened at 18:00)
    r["A"] = go("家里没菜了", 1, local(6, 20), 10, 60, category="food")
    follow_up(r["A"], desk, satisfied=True, now=local(6, 22))
    # B: reached three hours in (limit: two) — overdue; then reopened after the follow-up.
    r["B"] = go("需要配降压药", 2, local(6, 20, 30), 180, 240, category="medicine")
    follow_up(r["B"], desk, satisfied=False, note="药不对", now=local(7, 2))
    # C: urgent (透析), reached in time but never closed — past its closing limit.
    r["C"] = go("透析病人要去医院", 3, local(6, 21), 20, None)
    # D: nobody ever reached them.
    r["D"] = ask("管控区能出门吗", "13900000004", at=local(6, 22), category="policy")
    # 7 March: E, and F from the same phone an hour later, merged into E.
    r["E"] = go("家里没米了", 5, local(7, 9), 30, None, category="food")
    r["F"] = ask("家里没米了，还没人联系", "13900000005", at=local(7, 10), category="food")
    merge(r["F"], r["E"], desk, now=local(7, 10, 5))
    close(r["E"], supplies.a, "已送米", now=local(7, 11))
    follow_up(r["E"], desk, satisfied=True, now=local(7, 14))
    r["G"] = go("老人胸痛", 7, local(7, 12), 5, 40)
    # 8 March: reached in the window, closed only after it ended.
    r["H"] = go("楼道垃圾没清运", 8, local(8, 20), 10, 120, category="other")
    # Outside the window.
    ask("窗口之前", "13900000009", at=local(6, 17))
    ask("窗口之后", "13900000010", at=local(8, 21, 30))
    return r


def test_the_figures_equal_a_hand_count(fixture: dict[str, Any], desk, supplies: Team) -> None:
    stats = compute(START, END, now=LATER)
    t = stats.total
    # received A B C D E G H (F merged, two outside the window)
    assert (t.received, stats.merged) == (7, 1)
    assert t.answered == 6  # all but D
    assert t.closed == 3  # A, E, G (B reopened; H closed after the window)
    assert t.overdue == 3  # B reached late, C past its closing limit, D never reached
    assert t.median_minutes_to_contact == 15.0  # 5 10 10 20 30 180
    assert t.median_minutes_to_close == 60.0  # 40 60 120
    assert (t.followed_up, t.satisfied, t.satisfaction_rate) == (3, 2, 66.7)

    days = {day.isoformat(): f for day, f in stats.by_day}
    assert list(days) == ["2022-03-06", "2022-03-07", "2022-03-08"]
    assert [(f.received, f.answered, f.closed, f.overdue) for f in days.values()] == [
        (4, 3, 1, 3),
        (2, 2, 2, 0),
        (1, 1, 0, 0),
    ]
    categories = {code: f for code, _label, f in stats.by_category}
    assert categories["food"].received == 2 and categories["food"].closed == 2
    assert categories["other"].received == 1  # H
    assert categories["medicine"].overdue == 1
    assert categories["emergency"].median_minutes_to_close == 40.0
    assert categories["mental"].received == 0
    assert stats.by_day_category[dt.date(2022, 3, 6)]["dialysis"].answered == 1

    out = io.StringIO()
    call_command(
        "helpdesk", "stats", "--from", "2022-03-06T18:00", "--to", "2022-03-08T21:00", "--json",
        stdout=out,
    )  # fmt: skip
    data = json.loads(out.getvalue())
    assert data["total"]["received"] == 7
    assert data["total"]["answered_and_closed"] == 3
    assert data["total"] == {**stats.as_dict()["total"]}
    assert [d["received"] for d in data["by_day"]] == [4, 2, 1]


def test_a_date_alone_covers_whole_days(fixture: dict[str, Any]) -> None:
    out = io.StringIO()
    call_command("helpdesk", "stats", "--from", "2022-03-07", "--to", "2022-03-07", "--json",
                 stdout=out)  # fmt: skip
    data = json.loads(out.getvalue())
    assert data["from"].startswith("2022-03-07T00:00")
    assert data["to"].startswith("2022-03-08T00:00")
    assert [d["day"] for d in data["by_day"]] == ["2022-03-07"]


def test_the_page_shows_the_same_figures(client: Any, fixture: dict[str, Any], desk) -> None:
    client.force_login(desk)
    page = client.get(
        reverse("helpdesk:stats"), {"start": "2022-03-06T18:00", "end": "2022-03-08T21:00"}
    ).content.decode()
    assert "受理求助 7 件" in page
    assert "已办结 3 件" in page
