"""The day's release-due list reads each person's latest in-site test since intake in the same
query as the stays (ordered by end date), and only the people the caller may see."""

import datetime as dt

import pytest

from tongxin.accounts.models import Role
from tongxin.factories import UserFactory, household
from tongxin.isolation import factories as f
from tongxin.isolation.services.insite import sample_in_site
from tongxin.isolation.services.stays import release_due
from tongxin.sampling.services.results import import_result_rows

pytestmark = pytest.mark.django_db

EXPOSED = dt.datetime(2022, 3, 4, 2, 0, tzinfo=dt.UTC)
DAY14 = dt.datetime(2022, 3, 18, 1, 0, tzinfo=dt.UTC)


def _negative(barcode, at):
    import_result_rows(
        [
            {
                "barcode": barcode,
                "result": "negative",
                "reported_at": at.isoformat(),
                "lab": "县疾控",
            }
        ],
        name="r.csv",
    )


def test_the_latest_test_counts_and_the_list_is_scoped(
    inc, chief, escort, site, site_staff, django_assert_max_num_queries
):
    first = f.admitted(
        f.listed(inc, f.resident(household("阳光小区", "1", "1"), name="甲"), exposure=EXPOSED),
        site, planner=chief, escort=escort,
    )  # fmt: skip
    other_site = f.site_with_rooms("城南隔离点", lead=UserFactory(role=Role.TRANSFER))
    second = f.admitted(
        f.listed(inc, f.resident(household("阳光小区", "1", "2"), name="乙"),
                 exposure=EXPOSED - dt.timedelta(days=1)),
        other_site, planner=chief, escort=escort,
    )  # fmt: skip
    # 甲: a negative on day 14, then a later tube still pending: not yet.
    sample_in_site(site_staff, first, "GLDUE0001", at=DAY14)
    _negative("GLDUE0001", DAY14)
    sample_in_site(site_staff, first, "GLDUE0002", at=DAY14 + dt.timedelta(hours=3))
    # 乙: one negative on day 14 (of his own exposure): may go.
    sample_in_site(other_site.lead, second, "GLDUE0003", at=DAY14)
    _negative("GLDUE0003", DAY14)

    with django_assert_max_num_queries(1):
        rows = release_due(dt.date(2022, 3, 18))
    assert [r["name"] for r in rows] == ["乙", "甲"]  # by end date
    by_name = {r["name"]: r for r in rows}
    assert by_name["甲"]["last_test"]["tube"] == "GLDUE0002"
    assert by_name["甲"]["last_test"]["result"] == "pending"
    assert by_name["甲"]["may_release"] is False
    assert by_name["乙"]["last_test"]["result"] == "negative" and by_name["乙"]["may_release"]
    assert by_name["乙"]["last_test"]["sampled_at"].endswith("+08:00")

    # The first site's lead sees their own people only.
    assert [r["name"] for r in release_due(dt.date(2022, 3, 18), site_staff)] == ["甲"]
