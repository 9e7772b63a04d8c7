"""The 次密接 of all of a case's confirmed 密接 are stored together (one read and one write of
each kind for every 密接): each link still names its own 密接, one person exposed to two 密接
has one management record and two links, and deriving again stores nothing twice."""

from typing import Any

from tongxin.audit.models import AuditAction, AuditEvent
from tongxin.tracing.factories import VenueFactory, checkin
from tongxin.tracing.models import Contact, ExposureType, Level, Management
from tongxin.tracing.services import confirm_contacts
from tongxin.tracing.services.derive import derive_for_case

from .conftest import local, make_case


def _two_close_contacts(world: Any) -> tuple[Any, Management, Management]:
    """病例 张三 at a venue with 郑一 and 吴十 (both 密接, confirmed); three days later 郑一 and
    吴十 at another venue with 周九 (120 and 60 minutes)."""
    patient, zheng, wu, zhou = (
        world.one("1801"),
        world.one("hb-301"),
        world.one("b2-1801"),
        world.one("101"),
    )
    venue, later = VenueFactory(), VenueFactory()
    for person in (patient, zheng, wu):
        checkin(world.incident, venue, person, local(9, 10), 60)
    checkin(world.incident, later, zheng, local(12, 19), 120)
    checkin(world.incident, later, wu, local(12, 19, 30), 60)
    checkin(world.incident, later, zhou, local(12, 19), 120)
    case = make_case(world, patient)
    first = derive_for_case(case, now=local(13))
    close = [
        c for c in first if c.level == Level.CLOSE and c.management.person_id in (zheng.pk, wu.pk)
    ]
    assert len(close) == 2
    confirm_contacts(close, world.users["investigator"])
    managements = {c.management.person_id: c.management for c in close}
    return case, managements[zheng.pk], managements[wu.pk]


def _links(world: Any, person: Any) -> list[tuple[int | None, str, str]]:
    return sorted(
        (c.source_management_id, c.exposure_type, c.level)
        for c in Contact.objects.filter(management__person=person, source_management__isnull=False)
    )


def test_each_close_contacts_secondary_links_name_that_close_contact(world):
    case, zheng, wu = _two_close_contacts(world)
    derived = derive_for_case(case, now=local(13))

    zhou = world.one("101")
    assert Management.objects.filter(incident=world.incident, person=zhou).count() == 1
    assert _links(world, zhou) == sorted(
        [
            (zheng.pk, ExposureType.VENUE, Level.SECONDARY),
            (wu.pk, ExposureType.VENUE, Level.SECONDARY),
        ]
    )
    # 郑一's co-resident is 郑一's 次密接 (household), not 吴十's.
    assert _links(world, world.one("hb-301", 1)) == [
        (zheng.pk, ExposureType.HOUSEHOLD, Level.SECONDARY)
    ]
    by_source = {(c.source_management_id, c.management.person_id) for c in derived}
    assert (zheng.pk, zhou.pk) in by_source and (wu.pk, zhou.pk) in by_source
    reasons = {
        c.source_management_id: c.reason
        for c in derived
        if c.management.person_id == zhou.pk and c.source_management_id
    }
    assert reasons == {
        zheng.pk: "与密接同一场所停留重叠120分钟",
        wu.pk: "与密接同一场所停留重叠60分钟",
    }


def test_deriving_again_stores_nothing_twice(world):
    case, _zheng, _wu = _two_close_contacts(world)
    once = derive_for_case(case, now=local(13))
    contacts = Contact.objects.count()
    managements = Management.objects.count()
    created = AuditEvent.objects.filter(action=AuditAction.CREATE).count()

    again = derive_for_case(case, now=local(13))

    assert sorted(c.pk for c in again) == sorted(c.pk for c in once)
    assert len({c.pk for c in again}) == len(again)
    assert Contact.objects.count() == contacts
    assert Management.objects.count() == managements
    assert AuditEvent.objects.filter(action=AuditAction.CREATE).count() == created
