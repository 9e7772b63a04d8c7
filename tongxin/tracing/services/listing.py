"""Spreadsheets an investigation team keeps by hand: the case line listing (病例一览表) and the
venue list. Each row is accepted or refused with its reason; nothing is half-imported."""

from dataclasses import dataclass, field
from typing import Any

from django.db import transaction
from django.utils.dateparse import parse_date
from django.utils.translation import gettext as _

from tongxin.core import idnumbers
from tongxin.core.phones import InvalidPhone, normalize_mobile
from tongxin.incidents.models import Incident
from tongxin.people.models import DocumentType, Person
from tongxin.tracing.models import (
    Case,
    Channel,
    Classification,
    OutsidePerson,
    Venue,
    VenueKind,
)
from tongxin.tracing.services.cases import create_case
from tongxin.tracing.services.management import TracingError
from tongxin.tracing.services.sheets import cell, parse_time, read_rows

CASE_SYNONYMS: dict[str, tuple[str, ...]] = {
    "document_number": ("证件号码", "身份证号", "身份证号码"),
    "name": ("姓名",),
    "phone": ("手机号", "联系电话"),
    "classification": ("分类", "病例分类", "临床分型"),
    "onset_date": ("发病日期",),
    "first_positive_at": ("首次阳性采样时间", "采样时间"),
    "reported_at": ("报告时间",),
    "channel": ("发现途径", "发现方式"),
    "source_case": ("感染来源", "来源病例"),
}
VENUE_SYNONYMS: dict[str, tuple[str, ...]] = {
    "code": ("场所码", "场所编码"),
    "name": ("场所名称", "名称"),
    "kind": ("类型", "场所类型"),
    "address": ("地址",),
}

_CLASSES = {str(label): value for value, label in Classification.choices} | {
    "无症状": Classification.ASYMPTOMATIC,
    "轻型": Classification.MILD,
    "普通型": Classification.MODERATE,
    "重型": Classification.SEVERE,
    "危重型": Classification.CRITICAL,
}
_CHANNELS = {str(label): value for value, label in Channel.choices}
_KINDS = {str(label): value for value, label in VenueKind.choices} | {
    "超市": VenueKind.SUPERMARKET,
    "商场": VenueKind.SUPERMARKET,
    "餐馆": VenueKind.RESTAURANT,
    "饭店": VenueKind.RESTAURANT,
    "医院": VenueKind.HOSPITAL,
}


@dataclass
class ListingSummary:
    rows: int = 0
    added: int = 0
    existing: int = 0
    rejected: int = 0
    errors: list[dict[str, Any]] = field(default_factory=list)

    def refuse(self, row: int, message: str) -> None:
        self.rejected += 1
        self.errors.append({"row": row, "message": message})

    def as_dict(self) -> dict[str, Any]:
        return {
            "rows": self.rows,
            "added": self.added,
            "existing": self.existing,
            "rejected": self.rejected,
            "errors": self.errors[:200],
        }


def _case_row(incident: Incident, item: dict[str, Any], by: Any, summary: ListingSummary) -> None:
    row = int(item["_row"])
    number = idnumbers.normalize(cell(item.get("document_number")))
    if not idnumbers.is_valid(number):
        summary.refuse(row, _("证件号码无效"))
        return
    classification = _CLASSES.get(cell(item.get("classification")) or "无症状感染者")
    if classification is None:
        summary.refuse(row, _("分类无法识别"))
        return
    channel = _CHANNELS.get(cell(item.get("channel")) or "社区筛查")
    if channel is None:
        summary.refuse(row, _("发现途径无法识别"))
        return
    reported = parse_time(item.get("reported_at"))
    if reported is None:
        summary.refuse(row, _("报告时间无效"))
        return
    onset_raw = item.get("onset_date")
    onset = parse_date(cell(onset_raw)[:10]) if cell(onset_raw) else None
    if cell(onset_raw) and onset is None:
        summary.refuse(row, _("发病日期无效"))
        return
    source = None
    source_raw = cell(item.get("source_case")).removeprefix("病例")
    if source_raw:
        source = (
            Case.objects.filter(incident=incident, number=int(source_raw)).first()
            if source_raw.isdigit()
            else None
        )
        if source is None:
            summary.refuse(row, _("来源病例不存在"))
            return
    person = Person.objects.with_document(DocumentType.RESIDENT_ID, number).first()
    outside = None
    existing = Case.objects.filter(incident=incident)
    if person is not None:
        existing = existing.filter(person=person)
    else:
        outside = (
            OutsidePerson.objects.filter(incident=incident)
            .with_document(DocumentType.RESIDENT_ID, number)
            .first()
        )
        existing = existing.filter(outside_person=outside) if outside else existing.none()
    if existing.exists():
        summary.existing += 1
        return
    if person is None and outside is None:
        phone = cell(item.get("phone"))
        try:
            phone = normalize_mobile(phone) if phone else ""
        except InvalidPhone:
            phone = ""
        outside = OutsidePerson.objects.create(
            incident=incident, name=cell(item.get("name"))[:50], document_number=number, phone=phone
        )
    try:
        with transaction.atomic():
            create_case(
                incident,
                person=person,
                outside=outside,
                channel=channel,
                reported_at=reported,
                classification=classification,
                onset_date=onset,
                first_positive_at=parse_time(item.get("first_positive_at")),
                source_case=source,
                by=by,
            )
    except TracingError as exc:
        summary.refuse(row, str(exc))
        return
    summary.added += 1


def import_line_listing(
    incident: Incident, data: bytes, name: str, *, by: Any = None
) -> ListingSummary:
    """Cases from a line listing; a case already recorded (same person) is left as it is."""
    summary = ListingSummary()
    for item in read_rows(data, name, CASE_SYNONYMS, ("document_number", "reported_at")):
        summary.rows += 1
        _case_row(incident, item, by, summary)
    return summary


def import_venues(data: bytes, name: str) -> ListingSummary:
    """Venues by code: a new code is added, a known one updated."""
    summary = ListingSummary()
    for item in read_rows(data, name, VENUE_SYNONYMS, ("code", "name")):
        summary.rows += 1
        code, title = cell(item.get("code"))[:64], cell(item.get("name"))[:200]
        kind = _KINDS.get(cell(item.get("kind")), VenueKind.OTHER)
        if not code or not title:
            summary.refuse(int(item["_row"]), _("缺少场所码或名称"))
            continue
        _venue, created = Venue.objects.update_or_create(
            code=code,
            defaults={"name": title, "kind": kind, "address": cell(item.get("address"))[:300]},
        )
        if created:
            summary.added += 1
        else:
            summary.existing += 1
    return summary
