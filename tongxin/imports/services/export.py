"""Exporting residents in the import's canonical columns, so an export re-imports unchanged."""

import csv
import io
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any, BinaryIO

from django.db.models import Q
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font

from tongxin.accounts import second_factor
from tongxin.accounts.permissions import Perm, has_perm
from tongxin.audit.services import record_export
from tongxin.core.spreadsheets import csv_safe, text_cell
from tongxin.imports.readers import CANONICAL_COLUMNS
from tongxin.imports.services.problems import TEXT_COLUMNS
from tongxin.people.models import DocumentType, Person, ResidenceStatus
from tongxin.people.services import PermissionDenied, clean_reason
from tongxin.places.models import Place, PlaceKind

EXPORT_FORMATS = ("xlsx", "csv")
_IN_BATCH = 900
_COLUMN_OF_KIND = {
    PlaceKind.TOWNSHIP: "乡镇街道",
    PlaceKind.COMMUNITY: "社区",
    PlaceKind.ESTATE: "小区",
    PlaceKind.BUILDING: "楼幢",
    PlaceKind.STAIRWELL: "单元",
}


class AreaNotFound(LookupError):
    pass


def find_area(text: str, user: Any = None) -> Place:
    """A place named on the command line: its id, its full address (开化县 芹阳办事处 …), or
    names separated by / or > from the top (the county may be left out) or just the last
    few (东门社区/阳光小区) when they are unique. Only places the user may see are found."""
    visible = Place.objects.all() if user is None else Place.objects.visible_to(user)
    text = text.strip()
    if text.isdigit():
        found = visible.filter(pk=int(text)).first()
        if found is None:
            raise AreaNotFound(_("未找到地点“%(area)s”，或它不在您的辖区内") % {"area": text})
        return found
    names = [n for n in re.split(r"\s*[/>＞／]\s*|\s+", text) if n]
    found = visible.filter(address=" ".join(names)).first() if names else None
    if found is not None:
        return found
    matches = []
    for place in visible.filter(Q(name=names[-1]) | Q(key=names[-1])) if names else []:
        chain = [(p.name, p.key) for p in Place.objects.filter(place.ancestors_q())]
        if _in_order(chain, names):
            matches.append(place)
    if len(matches) == 1:
        return matches[0]
    if len(matches) > 1:
        raise AreaNotFound(
            _("“%(area)s”对应多个地点，请写出上级地点，如 乡镇街道/社区/小区") % {"area": text}
        )
    raise AreaNotFound(_("未找到地点“%(area)s”，或它不在您的辖区内") % {"area": text})


def _in_order(chain: list[tuple[str, str]], names: list[str]) -> bool:
    """Whether the names are levels of the chain (county first), in order, ending at its end."""
    position = 0
    for name in names:
        while position < len(chain) and name not in chain[position]:
            position += 1
        if position == len(chain):
            return False
        position += 1
    return position == len(chain)


def _ancestor_names(paths: set[str]) -> dict[str, tuple[str, str]]:
    """path → (kind, name) for every ancestor of the given household paths."""
    prefixes: set[str] = set()
    for path in paths:
        for end in range(Place.steplen, len(path), Place.steplen):
            prefixes.add(path[:end])
    found: dict[str, tuple[str, str]] = {}
    ordered = sorted(prefixes)
    for start in range(0, len(ordered), _IN_BATCH):
        batch = ordered[start : start + _IN_BATCH]
        for path, kind, name in Place.objects.filter(path__in=batch).values_list(
            "path", "kind", "name"
        ):
            found[path] = (kind, name)
    return found


def _rows(people: Any, unmask: bool) -> Iterator[list[str]]:
    doc_labels = {c.value: str(c.label) for c in DocumentType}
    status_labels = {c.value: str(c.label) for c in ResidenceStatus}
    batch: list[Any] = []

    def flush() -> Iterator[list[str]]:
        ancestors = _ancestor_names({p.household.path for p in batch})
        for person in batch:
            household = person.household
            row = dict.fromkeys(CANONICAL_COLUMNS, "")
            path = household.path
            for end in range(Place.steplen, len(path), Place.steplen):
                kind, name = ancestors.get(path[:end], ("", ""))
                column = _COLUMN_OF_KIND.get(kind)  # type: ignore[call-overload]
                if column:
                    row[column] = name
            row["姓名"] = person.name
            row["证件类型"] = doc_labels.get(person.document_type, person.document_type)
            if unmask:
                row["证件号码"] = person.document_number or ""
                row["手机号"] = person.phone or ""
            else:
                row["证件号码"] = person.document_masked
                row["手机号"] = person.phone_masked
            row["房号"] = household.name
            row["居住状态"] = status_labels.get(person.residence_status, person.residence_status)
            yield [row[c] for c in CANONICAL_COLUMNS]

    for person in people.iterator(chunk_size=2000):
        batch.append(person)
        if len(batch) >= 2000:
            yield from flush()
            batch = []
    if batch:
        yield from flush()


def _write_xlsx(rows: Iterator[list[str]], out: Path | BinaryIO) -> int:
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(_("居民"))
    sheet.freeze_panes = "A2"
    header = []
    for title in CANONICAL_COLUMNS:
        cell = WriteOnlyCell(sheet, value=title)
        cell.font = Font(bold=True)
        header.append(cell)
    sheet.append(header)
    text_positions = {i for i, c in enumerate(CANONICAL_COLUMNS) if c in TEXT_COLUMNS}
    count = 0
    for values in rows:
        cells: list[Any] = []
        for i, value in enumerate(values):
            cells.append(text_cell(sheet, value, as_text_format=i in text_positions))
        sheet.append(cells)
        count += 1
    workbook.save(out)
    return count


def _write_csv(rows: Iterator[list[str]], out: Path | BinaryIO) -> int:
    def write(stream: io.TextIOBase) -> int:
        writer = csv.writer(stream)
        writer.writerow(CANONICAL_COLUMNS)
        count = 0
        for values in rows:
            writer.writerow([csv_safe(v) for v in values])
            count += 1
        return count

    # UTF-8 with a BOM: how Excel recognises a UTF-8 CSV.
    if isinstance(out, (str, Path)):
        with open(out, "w", encoding="utf-8-sig", newline="") as stream:
            return write(stream)
    wrapper = io.TextIOWrapper(out, encoding="utf-8-sig", newline="")
    try:
        return write(wrapper)
    finally:
        wrapper.flush()
        wrapper.detach()


def export_residents(
    out: Path | BinaryIO,
    *,
    fmt: str = "xlsx",
    user: Any = None,
    area: Place | None = None,
    unmask: bool = False,
    reason: str | None = None,
) -> int:
    """Write residents (those the user may see, under `area` if given) in the canonical
    columns; ID numbers and phones masked unless `unmask` (command post only). Audited with
    the filter and the row count. Returns the number of rows written.

    user=None is the command-line operator: every resident, unmasking allowed. A user who
    unmasks states a reason, kept in the audit event."""
    if fmt not in EXPORT_FORMATS:
        raise ValueError(fmt)
    if user is not None:
        if not has_perm(user, Perm.EXPORT_RESIDENTS):
            raise PermissionDenied(_("您没有导出居民的权限"))
        if unmask and not has_perm(user, Perm.EXPORT_UNMASKED):
            raise PermissionDenied(_("您没有导出明文证件号码和手机号的权限"))
        if unmask:
            second_factor.require(user)
            reason = clean_reason(reason)
        people = Person.objects.visible_to(user)
    else:
        people = Person.objects.all()
    if area is not None:
        people = people.under(area)
    people = people.select_related("household").order_by("household__path", "pk")
    if not unmask:
        people = people.defer("document_number", "phone")
    rows = _rows(people, unmask)
    count = _write_xlsx(rows, out) if fmt == "xlsx" else _write_csv(rows, out)
    filters: dict[str, Any] = {"format": fmt}
    if area is not None:
        filters["area_id"] = area.pk
        filters["area"] = area.address or area.name
    record_export("people.person", filters, count, unmasked=unmask, reason=reason or "")
    return count
