"""A person from outside the registry who turns positive in the site: the room's floor is
flagged, the investigators are told, and the case is tracing's outside person (隔离点筛查)."""

import datetime as dt

import pytest

from tongxin.factories import UserFactory
from tongxin.isolation import factories as f
from tongxin.isolation.models import FloorFlag
from tongxin.isolation.services.insite import sample_in_site
from tongxin.notifications.models import Message
from tongxin.sampling.services.results import import_result_rows
from tongxin.tracing.models import Case, Channel

pytestmark = pytest.mark.django_db


def test_an_outside_persons_positive_flags_the_floor_and_opens_their_case(
    inc, chief, escort, site, django_capture_on_commit_callbacks
):
    investigator = UserFactory(role="investigator")
    stay = f.admitted(f.outside_listed(inc, name="李外地"), site, planner=chief, escort=escort)
    at = f.START + dt.timedelta(days=2)
    sample_in_site(site.lead, stay, "GLOUTPOS1", at=at)
    with django_capture_on_commit_callbacks(execute=True):
        import_result_rows(
            [{"barcode": "GLOUTPOS1", "result": "positive", "reported_at": at.isoformat(),
              "lab": "县疾控"}],
            name="r.csv",
        )  # fmt: skip
    flag = FloorFlag.objects.get()
    assert (flag.stay, flag.floor) == (stay, stay.room.floor)
    case = Case.objects.get(incident=inc)
    assert case.channel == Channel.ISOLATION_SITE
    assert case.outside_person_id == stay.entry.outside_person_id and case.person_id is None
    assert Message.objects.filter(
        notification__kind="isolation_positive", user=investigator
    ).exists()
