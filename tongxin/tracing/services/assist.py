"""协查: contacts who live in other counties are sent to them; their lists come in here.

Outgoing: one sheet per receiving county (by the region code of the person's ID number, or
the county an investigator recorded), with only what the receiver needs to find and manage
the person: name, ID number, phone, level, exposure type and dates, end of management. Never
the case. The export holds ID numbers in clear, so it needs the tracing permission and is
audited as an unmasked export.

Incoming: another county's list (same columns) matched to the registry by blind index;
unmatched people kept as outside persons; each row becomes a contact candidate here with the
sending county as its source. The same file twice adds nothing.
"""

import datetime as dt
import hashlib
import io
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from tongxin.audit.services import record_export
from tongxin.core import idnumbers
from tongxin.core.phones import InvalidPhone, normalize_mobile
from tongxin.incidents.models import Incident
from tongxin.people.models import DocumentType, Person
from tongxin.places.models import Place, PlaceKind
from tongxin.tracing.models import (
    AssistBatch,
    Contact,
    ContactStatus,
    ExposureType,
    Level,
    Management,
    OutsidePerson,
)
from tongxin.tracing.services.management import management_for
from tongxin.tracing.services.sheets import cell, parse_time, read_rows

HEADERS = [
    "序号", "姓名", "证件号码", "手机号", "人员类别", "接触方式", "首次接触时间", "末次接触时间",
    "管控截止日期", "现住址", "发函单位",
]  # fmt: skip

SYNONYMS: dict[str, tuple[str, ...]] = {
    "name": ("姓名",),
    "document_number": ("证件号码", "身份证号", "身份证号码"),
    "phone": ("手机号", "联系电话"),
    "level": ("人员类别", "类别", "级别"),
    "exposure_type": ("接触方式",),
    "first_exposure": ("首次接触时间",),
    "last_exposure": ("末次接触时间", "最后接触时间"),
    "address": ("现住址", "住址"),
}

_LEVELS = {str(label): value for value, label in Level.choices} | {
    "密切接触者": Level.CLOSE,
    "次密切接触者": Level.SECONDARY,
}
_EXPOSURES = {str(label): value for value, label in ExposureType.choices}


def home_county_code() -> str:
    root = Place.objects.filter(kind=PlaceKind.COUNTY).order_by("path").first()
    return root.code if root else ""


@dataclass
class OutgoingRow:
    region: str
    values: list[Any]


def outgoing(incident: Incident) -> dict[str, list[list[Any]]]:
    """The rows per receiving county (its region code): confirmed contacts who are outside
    persons from another county."""
    here = home_county_code()
    sheets: dict[str, list[list[Any]]] = defaultdict(list)
    ms = (
        Management.objects.filter(incident=incident, outside_person__isnull=False)
        .confirmed()
        .select_related("outside_person")
        .prefetch_related("contacts")
        .order_by("pk")
    )
    for m in ms:
        p = m.outside_person
        assert p is not None
        region = p.region_code or p.county or ""
        if not region or region == here:
            continue
        links = [c for c in m.contacts.all() if c.status == ContactStatus.CONFIRMED]
        kinds = "、".join(sorted({str(ExposureType(c.exposure_type).label) for c in links}))
        rows = sheets[region]
        rows.append(
            [
                len(rows) + 1,
                p.name,
                p.document_number,
                p.phone,
                str(Level(m.level).label),
                kinds,
                _local(m.first_exposure),
                _local(m.last_exposure),
                m.ends_on.isoformat() if m.ends_on else "",
                p.address,
                incident.name,
            ]
        )
    return dict(sheets)


def _local(value: dt.datetime | None) -> str:
    return timezone.localtime(value).strftime("%Y-%m-%d %H:%M") if value else ""


def export_workbook(incident: Incident, region: str | None = None) -> tuple[bytes, int]:
    """The 协查 workbook (one sheet per receiving county, or only `region`); audited."""
    import openpyxl

    sheets = outgoing(incident)
    if region:
        sheets = {k: v for k, v in sheets.items() if k == region}
    book = openpyxl.Workbook()
    book.remove(book.active)
    total = 0
    for code, rows in sorted(sheets.items()):
        sheet = book.create_sheet(title=f"协查{code}"[:31])
        sheet.append([_("协查函：请贵地协助落实以下人员的管控措施（%(code)s）") % {"code": code}])
        sheet.append(HEADERS)
        for row in rows:
            sheet.append(row)
        total += len(rows)
    if not sheets:
        book.create_sheet(title="协查")
        book.active.append(HEADERS)
    buf = io.BytesIO()
    book.save(buf)
    record_export(
        "tracing.assist",
        {"incident": incident.pk, "region": region or ""},
        total,
        unmasked=True,
    )
    return buf.getvalue(), total


@dataclass
class AssistSummary:
    rows: int = 0
    matched: int = 0
    outside: int = 0
    added: int = 0
    duplicate: int = 0
    rejected: int = 0
    errors: list[dict[str, Any]] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return {
            "rows": self.rows,
            "matched": self.matched,
            "outside": self.outside,
            "added": self.added,
            "duplicate": self.duplicate,
            "rejected": self.rejected,
            "errors": self.errors[:100],
        }


def _person(incident: Incident, item: dict[str, Any]) -> tuple[Person | None, OutsidePerson | None]:
    number = idnumbers.normalize(cell(item.get("document_number")))
    phone = cell(item.get("phone"))
    try:
        phone = normalize_mobile(phone) if phone else ""
    except InvalidPhone:
        phone = ""
    if not idnumbers.is_valid(number):
        return None, None
    person = Person.objects.with_document(DocumentType.RESIDENT_ID, number).first()
    if person is not None:
        return person, None
    outside = (
        OutsidePerson.objects.filter(incident=incident)
        .with_document(DocumentType.RESIDENT_ID, number)
        .first()
    )
    if outside is None:
        outside = OutsidePerson.objects.create(
            incident=incident,
            name=cell(item.get("name"))[:50],
            document_number=number,
            phone=phone,
            address=cell(item.get("address"))[:300],
        )
    return None, outside


def import_assist(
    incident: Incident, data: bytes, name: str, from_county: str, *, by: Any = None
) -> AssistSummary:
    """Another county's 协查 list: each row a contact candidate here (source: that county)."""
    digest = hashlib.sha256(data).hexdigest()
    summary = AssistSummary()
    done = AssistBatch.objects.filter(incident=incident, digest=digest).first()
    if done is not None:
        s = AssistSummary(**{k: v for k, v in done.summary.items() if k != "errors"})
        s.duplicate, s.added = s.duplicate + s.added, 0
        return s
    rows = list(read_rows(data, name, SYNONYMS, ("document_number", "level")))
    with transaction.atomic():
        batch = AssistBatch.objects.create(
            incident=incident,
            from_county=from_county[:100],
            name=name[:255],
            digest=digest,
            imported_at=timezone.now(),
            imported_by=by if getattr(by, "pk", None) else None,
        )
        for item in rows:
            summary.rows += 1
            level = _LEVELS.get(cell(item.get("level")))
            last = parse_time(item.get("last_exposure"))
            first = parse_time(item.get("first_exposure")) or last
            person, outside = _person(incident, item)
            if (
                level is None
                or last is None
                or first is None
                or (person is None and outside is None)
            ):
                summary.rejected += 1
                summary.errors.append(
                    {"row": item["_row"], "message": _("证件号码、人员类别或末次接触时间无效")}
                )
                continue
            if person is not None:
                summary.matched += 1
            else:
                summary.outside += 1
            m = management_for(incident, person=person, outside=outside)
            exposure = _EXPOSURES.get(
                cell(item.get("exposure_type")).split("、")[0], ExposureType.OTHER
            )
            source = f"{from_county}协查"[:200]
            if Contact.objects.filter(
                management=m, external_source=source, exposure_type=exposure, last_exposure=last
            ).exists():
                summary.duplicate += 1
                continue
            Contact.objects.create(
                incident=incident,
                management=m,
                external_source=source,
                exposure_type=exposure,
                first_exposure=first,
                last_exposure=last,
                level=level,
                reason=_("%(county)s协查：%(level)s")
                % {"county": from_county, "level": Level(level).label},
                rule="assist",
                assist_batch=batch,
            )
            summary.added += 1
        batch.summary = summary.as_dict()
        batch.save(update_fields=["summary"])
    return summary
