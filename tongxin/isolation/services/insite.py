"""In-site sampling (隔离点核酸检测) through the sampling module: the site is a test point of the
incident's isolation round, its tubes are single tubes, and the site's own people sample there.

Who samples in a site: its lead and staff, a unit stationed there (派驻单位), or a sampler by
role whose unit's area holds the site. They record through sampling's `record_batch` (the site's
point is theirs by `sampling.services.access.register_point_staff`), so tubes, results, recalls,
positives and the case that follows are sampling's and tracing's usual path.

Everybody staying is sampled, registry residents and people tracing found outside the registry
alike: an outside person is sampled with the document tracing holds for them and registered by
sampling as it registers anyone sampled who is not on the list (现场登记待核实); the stay keeps
the registry record sampling knows them by (`Stay.test_person`), which is where their results
come back to.
"""

import datetime as dt
import uuid
from typing import Any

from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from tongxin.accounts.permissions import Perm, has_perm
from tongxin.core import idnumbers
from tongxin.incidents.models import Incident
from tongxin.isolation.models import Site, Stay, StayStatus
from tongxin.isolation.services import IsolationError, NotAllowed
from tongxin.isolation.services.stays import ISOLATION_ROUND_NAME, last_tests, schedule_dates
from tongxin.people.models import DocumentType, Person


def _signed_in(user: Any) -> bool:
    return bool(user is not None and getattr(user, "is_authenticated", False) and user.is_active)


def sampling_sites(user: Any) -> QuerySet[Site]:
    """The active sites the user samples in: lead, staff, stationed unit, or a sampler by role
    whose jurisdiction holds the site."""
    if not _signed_in(user):
        return Site.objects.none()
    mine = Q(lead_id=user.pk) | Q(staff=user.pk)
    if getattr(user, "unit_id", None):
        mine |= Q(units=user.unit_id)
    if has_perm(user, Perm.RECORD_SAMPLES):
        from tongxin.accounts.jurisdiction import jurisdiction_of

        j = jurisdiction_of(user)
        if j.everywhere:
            mine = Q()
        elif j.paths:
            mine |= j.q("place__path")
    return Site.objects.filter(active=True, pk__in=Site.objects.filter(mine).values("pk"))


def can_sample_in_site(user: Any, site: Site) -> bool:
    return site.pk is not None and sampling_sites(user).filter(pk=site.pk).exists()


def staffed_points(user: Any) -> list[int]:
    """For sampling: the test points of the sites the user samples in."""
    return list(
        sampling_sites(user).exclude(test_point=None).values_list("test_point_id", flat=True)
    )


def site_round(incident: Incident, site: Site) -> tuple[Any, Any]:
    """The incident's isolation testing round and the site as its test point (created once).
    The round has points, not areas: it expects nobody by where they live (the people it
    tests are those staying at its sites), so no estate shows as untested in its coverage."""
    from tongxin.testing.models import RoundPoint, RoundStatus, TestPoint, TestRound

    test_round = TestRound.objects.filter(incident=incident, name=ISOLATION_ROUND_NAME).first()
    if test_round is None:
        test_round = TestRound.objects.create(
            incident=incident, name=ISOLATION_ROUND_NAME, starts_at=incident.started_at,
            deadline=incident.started_at + dt.timedelta(days=3650), status=RoundStatus.ACTIVE,
        )  # fmt: skip
    if site.test_point_id is None:
        site.test_point = TestPoint.objects.create(
            name=site.name, place=site.place, address=site.address,
            opens_at=dt.time(0, 0), closes_at=dt.time(23, 59), samplers=1,
        )  # fmt: skip
        site.save(update_fields=["test_point"])
    RoundPoint.objects.get_or_create(round=test_round, point=site.test_point)
    return test_round, site.test_point


def identity_of(stay: Stay) -> tuple[str, str, bool]:
    """(document type, number, outside the registry) of the person staying; the number is
    sent to sampling only, never shown or logged."""
    entry = stay.entry
    if entry.person_id is not None:
        person = Person.objects.only("document_type", "document_number").get(pk=entry.person_id)
        return person.document_type, person.document_number or "", False
    if entry.outside_person_id is not None:
        from tongxin.tracing.models import OutsidePerson

        outside = (
            OutsidePerson.objects.only("document_type", "document_number")
            .filter(pk=entry.outside_person_id)
            .first()
        )
        if outside is not None:
            return outside.document_type, outside.document_number or "", True
    return DocumentType.RESIDENT_ID, "", True


def sample_in_site(
    user: Any, stay: Stay, barcode: str, at: dt.datetime | None = None,
    client_id: str | None = None,
) -> dict[str, Any]:  # fmt: skip
    """A single tube taken in the site, recorded through sampling's `record_batch`. Idempotent
    by `client_id` (a resent form stores the sample once)."""
    from tongxin.sampling.models import SampleEvent, SampleSource
    from tongxin.sampling.services.recording import NotAllowed as SamplingNotAllowed
    from tongxin.sampling.services.recording import record_batch
    from tongxin.testing.models import SamplingMode

    if not can_sample_in_site(user, stay.site):
        raise NotAllowed(_("只有本隔离点的工作人员或派驻采样人员可以在隔离点采样"))
    if stay.status != StayStatus.IN_SITE:
        raise IsolationError(_("该人员不在隔离中"))
    if not (barcode or "").strip():
        raise IsolationError(_("请扫描试管条码"))
    document_type, number, outside = identity_of(stay)
    if not number:
        raise IsolationError(
            _("%(name)s 没有登记证件号码，无法登记采样；请流调组补录证件号码")
            % {"name": stay.entry.name}
        )
    test_round, point = site_round(stay.incident, stay.site)
    try:
        uid = uuid.UUID(str(client_id)) if client_id else uuid.uuid4()
    except ValueError as exc:
        raise IsolationError(_("表单编号无效，请刷新页面后重试")) from exc
    event: dict[str, Any] = {
        "id": str(uid), "tube": barcode.strip(), "document_type": document_type,
        "document_number": number, "sampled_at": (at or timezone.now()).isoformat(),
    }  # fmt: skip
    if outside:
        # Not on the registry: sampling registers them with the name tracing gave (现场登记).
        event["walk_in"] = {"name": stay.entry.name}
    try:
        result = record_batch(
            [event], user=user, source=SampleSource.POINT,
            defaults={"round": test_round.pk, "point": point.pk, "tube_mode": SamplingMode.SINGLE},
        )  # fmt: skip
    except SamplingNotAllowed as exc:
        raise NotAllowed(str(exc)) from exc
    answer = result.results[0]
    if answer["status"] == "refused":
        raise IsolationError(answer.get("message") or answer.get("reason") or _("未能登记"))
    person_id = (
        SampleEvent.objects.filter(client_event_id=uid).values_list("person_id", flat=True).first()
    )
    if person_id is not None and stay.test_person_id != person_id:
        Stay.objects.filter(pk=stay.pk).update(test_person_id=person_id)
        stay.test_person_id = person_id
    return answer


def stay_by_document(site: Site, document_type: str, number: str) -> Stay:
    """The person staying at the site whose card was scanned (a resident, a person outside the
    registry, or the registry record their samples are under)."""
    from tongxin.tracing.models import OutsidePerson

    number = (number or "").strip()
    if document_type == DocumentType.RESIDENT_ID:
        try:
            number = idnumbers.parse(number).number
        except idnumbers.InvalidIdNumber as exc:
            raise IsolationError(exc.message) from None
    else:
        number = idnumbers.normalize(number)
    if not number:
        raise IsolationError(_("请扫描或输入证件号码"))
    people = Person.objects.with_document(document_type, number).values("pk")
    outside = OutsidePerson.objects.with_document(document_type, number).values("pk")
    stay = (
        Stay.objects.filter(site=site, status=StayStatus.IN_SITE)
        .filter(
            Q(entry__person__in=people)
            | Q(test_person__in=people)
            | Q(entry__outside_person_id__in=outside)
        )
        .select_related("entry", "room", "site", "incident")
        .first()
    )
    if stay is None:
        raise IsolationError(_("本隔离点没有持此证件的在住人员"))
    return stay


def sampling_sheet(site: Site, on: dt.date, floor: int | None = None) -> list[dict[str, Any]]:
    """Everyone staying at the site (or on one floor) for the sampler's phone: whether today is
    one of their test days, and their latest in-site test with its result."""
    qs = Stay.objects.filter(site=site, status=StayStatus.IN_SITE)
    if floor is not None:
        qs = qs.filter(room__floor=floor)
    stays = list(qs.select_related("entry", "room").order_by("room__floor", "room__number", "pk"))
    tests = last_tests(stays)
    return [
        {
            "stay": s,
            "outside": s.entry.person_id is None,
            "test_due": on in schedule_dates(s),
            "last": tests.get(s.pk),
        }
        for s in stays
    ]
