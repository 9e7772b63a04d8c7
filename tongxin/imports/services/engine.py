"""The residents import engine: spreadsheet rows in, places and people out.

How a row is decided (issue 2, section 6):

- Rejected, the rest go on, only when the person cannot be identified or placed: no name; no or
  an invalid resident ID number; an ID number Excel stored as a number (digits lost); no estate,
  building or room; an estate that cannot be located; a person already placed at a different
  household earlier in the same file (the earlier row stands); a place or a person outside the
  importing user's jurisdiction.
- Warned, imported all the same: a bad phone (the person is kept without it), an unknown
  residence status (常住 is assumed), an unknown document type (其他 is assumed), a repeat of an
  earlier row for the same person and household that differs in name, phone or status (the
  earlier row stands; counted as a duplicate).
- A repeat identical to an earlier row is a duplicate. A person already in the registry (same
  document type and number) is updated when name, household, status or phone differ, else left
  unchanged: re-importing a file writes nothing and records no per-person audit events. A blank
  phone never erases a stored phone; a missing 居住状态 column keeps the stored status.
- A person whose document is registered at a household outside the importing user's
  jurisdiction is not moved or touched and the row is rejected with a neutral message that
  names no one: the uploader already holds the number, so saying that it is registered
  elsewhere discloses nothing more, while moving the person would let any unit take over
  (and so see) anybody in the county.

Writes go chunk by chunk, each chunk in its own transaction that first locks the county row, so
concurrent imports queue behind each other instead of creating the same place or person twice,
progress can be committed between chunks, and a failure keeps every chunk already written.
"""

import logging
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from itertools import islice
from pathlib import Path
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy

from tongxin.accounts.jurisdiction import Jurisdiction, jurisdiction_of
from tongxin.accounts.permissions import Perm, has_perm
from tongxin.audit.models import AuditAction
from tongxin.audit.services import record, record_many
from tongxin.core import crypto, idnumbers
from tongxin.core.masking import mask_document, mask_phone
from tongxin.core.phones import InvalidPhone, normalize_mobile
from tongxin.core.text import clean_text
from tongxin.imports.readers import (
    CANONICAL_COLUMNS,
    ImportFileError,
    Table,
    canonical_column,
    display_text,
    read_table,
)
from tongxin.imports.services.bulk import insert_people
from tongxin.people.models import DocumentType, Person, ResidenceStatus
from tongxin.people.services import PermissionDenied
from tongxin.places import labels
from tongxin.places.models import Place, PlaceKind
from tongxin.places.services import PlaceTree, county, no_county_message

logger = logging.getLogger(__name__)

CHUNK_ROWS = 1000
PREVIEW_ROWS = 20
_IN_BATCH = 900  # below SQLite's 999 bound parameters per statement
_RETRIES = 3

Progress = Callable[[int, int], None]

# Short Chinese names of the reason codes, for summaries (the row messages say more).
REASONS: dict[str, Any] = {
    "missing_name": _lazy("缺少姓名"),
    "name_too_long": _lazy("姓名过长"),
    "missing_document": _lazy("缺少证件号码"),
    "invalid_document": _lazy("证件号码无效"),
    "document_as_number": _lazy("证件号码被存成数字"),
    "masked_document": _lazy("证件号码已脱敏"),
    "missing_estate": _lazy("缺少小区"),
    "missing_building": _lazy("缺少楼幢"),
    "missing_room": _lazy("缺少房号"),
    "place_too_long": _lazy("地点名称过长"),
    "estate_not_located": _lazy("无法确定小区所属社区"),
    "conflict": _lazy("与前面的行住户冲突"),
    "outside_jurisdiction": _lazy("不在辖区内"),
    "person_outside_jurisdiction": _lazy("需指挥部处理"),
    "invalid_phone": _lazy("手机号无效"),
    "multiple_phones": _lazy("多个手机号"),
    "unknown_status": _lazy("居住状态无法识别"),
    "unknown_document_type": _lazy("证件类型无法识别"),
    "duplicate_differs": _lazy("重复行内容不同"),
}

_DOCUMENT_TYPES: dict[str, str] = {
    "居民身份证": DocumentType.RESIDENT_ID,
    "身份证": DocumentType.RESIDENT_ID,
    "二代身份证": DocumentType.RESIDENT_ID,
    "护照": DocumentType.PASSPORT,
    "港澳台通行证": DocumentType.HMT_PERMIT,
    "港澳通行证": DocumentType.HMT_PERMIT,
    "往来港澳通行证": DocumentType.HMT_PERMIT,
    "台湾通行证": DocumentType.HMT_PERMIT,
    "台胞证": DocumentType.HMT_PERMIT,
    "回乡证": DocumentType.HMT_PERMIT,
    "其他": DocumentType.OTHER,
    "其它": DocumentType.OTHER,
}
_DOCUMENT_TYPES.update({str(c.label): c.value for c in DocumentType})
_DOCUMENT_TYPES.update({c.value: c.value for c in DocumentType})

_STATUSES: dict[str, str] = {
    "常住": ResidenceStatus.RESIDENT,
    "登记未常住": ResidenceStatus.REGISTERED_ABSENT,
    "外出": ResidenceStatus.AWAY,
    "暂住": ResidenceStatus.TEMPORARY,
}
_STATUSES.update({c.value: c.value for c in ResidenceStatus})

_SCIENTIFIC = re.compile(r"[+-]?\d+(?:\.\d+)?[eE][+-]?\d+")
_CJK_GAP = re.compile(r"(?<=[\u3400-\u9fff])\s+(?=[\u3400-\u9fff])")
_PHONE_SPLIT = re.compile(r"[/,，;；、\s]+")
_PLACE_NAME_MAX = 100
_PERSON_NAME_MAX = 50


@dataclass
class RowProblem:
    row: int
    level: str  # "rejected" | "warning"
    code: str
    message: str  # Chinese, for the user
    values: dict[str, str]  # the row's original values by canonical column

    def as_dict(self, *, masked: bool = True) -> dict[str, Any]:
        """For JSON (job previews, the API): ID numbers and phones masked unless asked."""
        return {
            "row": self.row,
            "level": self.level,
            "code": self.code,
            "message": self.message,
            "values": masked_values(self.values) if masked else dict(self.values),
        }


@dataclass
class ImportResult:
    rows: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    duplicate: int = 0
    rejected: int = 0
    warnings: int = 0
    rejected_reasons: dict[str, int] = field(default_factory=dict)
    ignored_columns: list[str] = field(default_factory=list)
    problems: list[RowProblem] = field(default_factory=list)
    preview_rows: list[dict[str, str]] = field(default_factory=list)
    # The kind's canonical columns, in order (the problems file's columns).
    columns: list[str] = field(default_factory=lambda: list(CANONICAL_COLUMNS))

    def as_dict(self) -> dict[str, Any]:
        return {
            "rows": self.rows,
            "created": self.created,
            "updated": self.updated,
            "unchanged": self.unchanged,
            "duplicate": self.duplicate,
            "rejected": self.rejected,
            "warnings": self.warnings,
            "rejected_reasons": dict(sorted(self.rejected_reasons.items())),
            "ignored_columns": list(self.ignored_columns),
        }


def masked_values(values: Mapping[str, str]) -> dict[str, str]:
    """A row's values fit for a page: the ID number and the phone masked."""
    shown = dict(values)
    if shown.get("证件号码"):
        shown["证件号码"] = mask_document(shown["证件号码"])
    if shown.get("手机号"):
        shown["手机号"] = mask_phone(shown["手机号"])
    return shown


class _Rejected(Exception):
    def __init__(self, code: str, message: str) -> None:
        super().__init__(code)
        self.code = code
        self.message = message


Label = tuple[str, str]  # (key, display name)
HouseholdKey = tuple[str, str, str, str, str, str]


def _values(raw: Mapping[str, Any]) -> dict[str, str]:
    return {c: display_text(raw[c]) for c in CANONICAL_COLUMNS if c in raw}


@dataclass(slots=True)
class _Row:
    number: int
    raw: Mapping[str, Any]
    name: str
    doc_type: str
    document: str
    phone: str | None  # None: not given or not usable, the stored phone stays
    status: str | None  # None: no 居住状态 column, the stored status stays
    township: Label | None
    community: Label | None
    estate: Label
    building: Label
    stairwell: Label | None
    room: Label
    warnings: list[tuple[str, str]]

    def household_key(self) -> HouseholdKey:
        assert self.township is not None and self.community is not None
        return (
            self.township[0],
            self.community[0],
            self.estate[0],
            self.building[0],
            self.stairwell[0] if self.stairwell else "",
            self.room[0],
        )

    def signature(self) -> tuple[str, str | None, str | None]:
        return (self.name, self.phone, self.status)


@dataclass(slots=True)
class _Seen:
    row: int
    household: HouseholdKey
    signature: tuple[str, str | None, str | None]


class _Virtual:
    """A place a dry run would create: it has a key and a name but no row."""

    pk = None

    def __init__(self, kind: str, key: str, name: str) -> None:
        self.kind, self.key, self.name = kind, key, name
        self.children: dict[tuple[str, str], _Virtual] = {}

    def child(self, kind: str, key: str, name: str) -> "_Virtual":
        found = self.children.get((kind, key))
        if found is None:
            found = self.children[(kind, key)] = _Virtual(kind, key, name)
        return found


Node = Place | _Virtual


# --- reading one row -------------------------------------------------------------------


def _text(value: Any) -> str:
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return clean_text(value)


def _person_name(value: Any) -> str:
    # Two-character names are often padded to line up with three-character ones: 张  三.
    return _CJK_GAP.sub("", clean_text(value))


def _document_type(value: Any, warnings: list[tuple[str, str]]) -> str:
    text = clean_text(value).replace(" ", "")
    if not text:
        return DocumentType.RESIDENT_ID
    found = _DOCUMENT_TYPES.get(text)
    if found is None:
        warnings.append(
            (
                "unknown_document_type",
                _("证件类型“%(type)s”无法识别，按“其他”导入") % {"type": text[:20]},
            )
        )
        return DocumentType.OTHER
    return found


def _as_number() -> _Rejected:
    return _Rejected(
        "document_as_number",
        _(
            "证件号码被Excel存成了数字，后几位已丢失，无法识别此人；"
            "请把该列设置为“文本”格式，重新填写号码后再导入"
        ),
    )


def _document_number(value: Any, doc_type: str) -> str:
    if value is None or (isinstance(value, str) and not value.strip()):
        raise _Rejected("missing_document", _("缺少证件号码"))
    if isinstance(value, bool):
        raise _Rejected("invalid_document", _("证件号码无效"))
    if isinstance(value, float):
        if not value.is_integer():
            raise _as_number()
        value = int(value)
    if isinstance(value, int):
        text = str(value)
        # Excel keeps 15 significant digits: an 18-digit number has lost its last ones.
        if len(text) > 15:
            raise _as_number()
    else:
        text = clean_text(value)
        if _SCIENTIFIC.fullmatch(text.replace(" ", "")):
            raise _as_number()
    if "*" in text:
        raise _Rejected("masked_document", _("证件号码是脱敏后的形式（含*），无法识别此人"))
    if doc_type == DocumentType.RESIDENT_ID:
        try:
            return idnumbers.parse(text).number
        except idnumbers.InvalidIdNumber as exc:
            if isinstance(value, str) and re.fullmatch(r"\d{15}000", text):
                # What a CSV saved from a number-formatted column looks like: 15 digits kept.
                raise _as_number() from None
            raise _Rejected(
                "invalid_document", _("身份证号码无效：%(reason)s") % {"reason": exc.message}
            ) from None
    number = idnumbers.normalize(text)
    if not number:
        raise _Rejected("missing_document", _("缺少证件号码"))
    if len(number) > 40:
        raise _Rejected("invalid_document", _("证件号码过长"))
    return number


_PLAIN_MOBILE = re.compile(r"1\d{10}")
_segment_valid: dict[str, bool] = {}


def _mobile(text: str) -> str:
    """normalize_mobile, with the verdict for plain 11-digit numbers kept per 号段.

    phonenumbers decides a mainland mobile number by its segment, at most its first seven
    digits (its patterns are a prefix followed by any digits); a file of 13,000 phones has a
    few hundred segments, and asking once per segment takes a third off reading the rows."""
    if not _PLAIN_MOBILE.fullmatch(text):
        return normalize_mobile(text)
    segment = text[:7]
    valid = _segment_valid.get(segment)
    if valid is None:
        try:
            normalize_mobile(text)
            valid = True
        except InvalidPhone:
            valid = False
        _segment_valid[segment] = valid
    if not valid:
        raise InvalidPhone(text)
    return text


def _phone(value: Any, warnings: list[tuple[str, str]]) -> str | None:
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    text = clean_text(value)
    if not text:
        return None
    try:
        return _mobile(text)
    except InvalidPhone:
        pass
    parts = [p for p in _PHONE_SPLIT.split(text) if p]
    if len(parts) > 1:
        for part in parts:
            try:
                phone = _mobile(part)
            except InvalidPhone:
                continue
            warnings.append(("multiple_phones", _("填写了多个号码，只导入了第一个有效手机号")))
            return phone
    warnings.append(("invalid_phone", _("手机号无效，已忽略该号码，人员照常导入")))
    return None


def _status(value: Any, warnings: list[tuple[str, str]]) -> str:
    text = clean_text(value).replace(" ", "")
    if not text:
        return ResidenceStatus.RESIDENT
    found = _STATUSES.get(text)
    if found is None:
        warnings.append(
            (
                "unknown_status",
                _("居住状态“%(status)s”无法识别，按“常住”导入") % {"status": text[:20]},
            )
        )
        return ResidenceStatus.RESIDENT
    return found


def _place_label(label: Label, column: str) -> Label:
    key, name = label
    if len(name) > _PLACE_NAME_MAX or len(key) > _PLACE_NAME_MAX:
        raise _Rejected(
            "place_too_long",
            _("%(column)s名称过长（超过%(n)d字）") % {"column": column, "n": _PLACE_NAME_MAX},
        )
    return label


def _area_label(value: Any, column: str) -> Label | None:
    name = clean_text(value)
    if not name:
        return None
    return _place_label((labels.name_key(value), name), column)


def _parse_row(number: int, raw: Mapping[str, Any], has_status: bool) -> _Row:
    warnings: list[tuple[str, str]] = []
    name = _person_name(raw.get("姓名"))
    if not name:
        raise _Rejected("missing_name", _("缺少姓名"))
    if len(name) > _PERSON_NAME_MAX:
        raise _Rejected("name_too_long", _("姓名过长（超过%(n)d字）") % {"n": _PERSON_NAME_MAX})
    doc_type = _document_type(raw.get("证件类型"), warnings)
    document = _document_number(raw.get("证件号码"), doc_type)

    estate_raw, building_raw, room_raw = raw.get("小区"), raw.get("楼幢"), raw.get("房号")
    if not _text(estate_raw):
        raise _Rejected("missing_estate", _("缺少小区（或自然村）"))
    if not _text(building_raw):
        raise _Rejected("missing_building", _("缺少楼幢（或组）"))
    if not _text(room_raw):
        raise _Rejected("missing_room", _("缺少房号"))
    # Column names stay untranslated here: they are the file's own headers.
    estate = _area_label(estate_raw, "小区")
    assert estate is not None
    building = _place_label(labels.building_label(building_raw), "楼幢")
    room = _place_label(labels.room_label(room_raw), "房号")
    stairwell_raw = raw.get("单元")
    stairwell = (
        _place_label(labels.stairwell_label(stairwell_raw), "单元")
        if _text(stairwell_raw)
        else None
    )
    township = _area_label(raw.get("乡镇街道"), "乡镇街道")
    community = _area_label(raw.get("社区"), "社区")

    phone = _phone(raw.get("手机号"), warnings)
    status = _status(raw.get("居住状态"), warnings) if has_status else None
    return _Row(
        number, raw, name, doc_type, document, phone, status, township, community, estate,
        building, stairwell, room, warnings,
    )  # fmt: skip


# --- the engine --------------------------------------------------------------------------

# A household's place in the tree: ((kind, key, name), …) from the township down.
Levels = tuple[tuple[str, str, str], ...]


def _levels(row: _Row) -> Levels:
    assert row.township is not None and row.community is not None
    levels = [
        (PlaceKind.TOWNSHIP, *row.township),
        (PlaceKind.COMMUNITY, *row.community),
        (PlaceKind.ESTATE, *row.estate),
        (PlaceKind.BUILDING, *row.building),
    ]
    if row.stairwell is not None:
        levels.append((PlaceKind.STAIRWELL, *row.stairwell))
    levels.append((PlaceKind.HOUSEHOLD, *row.room))
    return tuple(levels)


@dataclass
class _Accepted:
    row: _Row
    key: HouseholdKey
    levels: Levels
    stored: dict[str, Any] | None


@dataclass
class _Chunk:
    """What one chunk decided; merged into the result only once its transaction commits."""

    counts: dict[str, int] = field(default_factory=dict)
    problems: list[RowProblem] = field(default_factory=list)
    creates: list[tuple[_Row, Node]] = field(default_factory=list)
    updates: list[tuple[_Row, Node, dict[str, Any], dict[str, list[Any]]]] = field(
        default_factory=list
    )

    def count(self, what: str) -> None:
        self.counts[what] = self.counts.get(what, 0) + 1


class _Importer:
    def __init__(self, *, user: Any, dry_run: bool, progress: Progress | None) -> None:
        if user is not None and not has_perm(user, Perm.IMPORT_RESIDENTS):
            raise PermissionDenied(_("您没有导入居民的权限"))
        root = county()
        if root is None:
            raise ImportFileError(no_county_message())
        self.county: Place = root
        self.user = user
        self.dry_run = dry_run
        self.progress = progress
        self.jurisdiction: Jurisdiction = (
            Jurisdiction(everywhere=True) if user is None else jurisdiction_of(user)
        )
        self.result = ImportResult()
        self.seen: dict[tuple[str, str], _Seen] = {}
        # People registered outside the uploader's area whom a row named: audited, never told.
        self.held_back: list[int] = []
        # Estates by key → {(township key, community key): (township, community)}.
        self.file_estates: dict[str, dict[tuple[str, str], tuple[Label, Label]]] = {}
        self._db_estates: dict[str, dict[tuple[str, str], tuple[Label, Label]]] | None = None
        self._reset_places()

    # places ------------------------------------------------------------------------------

    def _reset_places(self) -> None:
        self.tree = PlaceTree()
        # Dry run: what would be created under each real place, by the real place's id.
        self.virtual_under: dict[int, _Virtual] = {}
        self.placeable: dict[Levels, bool] = {}

    def _inside(self, place: Place) -> bool:
        return self.jurisdiction.contains_path(place.path)

    def _may_place(self, levels: Levels) -> bool:
        """Whether the household lies in the user's jurisdiction, decided on what exists:
        walking down, an existing place inside it settles yes; reaching a place that does
        not exist yet while still outside settles no (nothing gets created there)."""
        known = self.placeable.get(levels)
        if known is not None:
            return known
        node = self.county
        inside = self._inside(node)
        for kind, key, _name in levels:
            if inside:
                break
            found = self.tree.find(node, kind, key)
            if found is None:
                break
            node = found
            inside = self._inside(found)
        self.placeable[levels] = inside
        return inside

    def _materialize(self, wanted: Iterable[Levels]) -> dict[Levels, Node]:
        """The household of each wanted path, creating what is missing level by level: one
        bulk INSERT per level (virtual places in a dry run)."""
        nodes: dict[Levels, Node] = {(): self.county}
        paths = set(wanted)
        depth = max((len(p) for p in paths), default=0)
        for level in range(1, depth + 1):
            prefixes = {p[:level] for p in paths if len(p) >= level}
            missing: list[tuple[Place, str, str, str]] = []
            for prefix in prefixes:
                parent = nodes[prefix[:-1]]
                kind, key, name = prefix[-1]
                if isinstance(parent, _Virtual):
                    nodes[prefix] = parent.child(kind, key, name)
                    continue
                found = self.tree.find(parent, kind, key)
                if found is not None:
                    nodes[prefix] = found
                elif self.dry_run:
                    container = self.virtual_under.setdefault(
                        parent.pk, _Virtual(parent.kind, "", "")
                    )
                    nodes[prefix] = container.child(kind, key, name)
                else:
                    missing.append((parent, kind, key, name))
            if missing:
                self.tree.children(sorted(missing, key=lambda m: (m[0].path, m[2])))
                for prefix in prefixes:
                    if prefix not in nodes:
                        parent = nodes[prefix[:-1]]
                        assert isinstance(parent, Place)
                        found = self.tree.find(parent, prefix[-1][0], prefix[-1][1])
                        assert found is not None
                        nodes[prefix] = found
        return nodes

    def _estate_candidates(self, estate_key: str) -> dict[tuple[str, str], tuple[Label, Label]]:
        if self._db_estates is None:
            self._db_estates = {}
            paths = self.jurisdiction.paths
            estates = Place.objects.filter(kind=PlaceKind.ESTATE, path__startswith=self.county.path)
            for e in estates.values(
                "path", "key", "parent__key", "parent__name", "parent__parent__key",
                "parent__parent__name",
            ):  # fmt: skip
                # Also estates above the user's places (a unit may hold single buildings).
                if not (
                    self.jurisdiction.contains_path(e["path"])
                    or any(p.startswith(e["path"]) for p in paths)
                ):
                    continue
                township = (e["parent__parent__key"], e["parent__parent__name"])
                community = (e["parent__key"], e["parent__name"])
                self._db_estates.setdefault(e["key"], {})[(township[0], community[0])] = (
                    township,
                    community,
                )
        found = dict(self._db_estates.get(estate_key, {}))
        found.update(self.file_estates.get(estate_key, {}))
        return found

    def _locate(self, row: _Row) -> None:
        """Fill in a missing township or community from the estate's name."""
        if row.township is not None and row.community is not None:
            return
        candidates = [
            (t, c)
            for t, c in self._estate_candidates(row.estate[0]).values()
            if (row.township is None or t[0] == row.township[0])
            and (row.community is None or c[0] == row.community[0])
        ]
        if len(candidates) != 1:
            raise _Rejected("estate_not_located", _("无法确定小区所属社区，请填写乡镇街道和社区"))
        row.township, row.community = candidates[0]

    # people ------------------------------------------------------------------------------

    def _existing(self, rows: list[_Row]) -> dict[tuple[str, str], dict[str, Any]]:
        """Stored people for these rows, by (document type, blind index under any key)."""
        wanted: dict[str, list[str]] = {}
        for row in rows:
            wanted.setdefault(row.doc_type, []).extend(
                crypto.blind_indexes(row.doc_type, row.document)
            )
        found: dict[tuple[str, str], dict[str, Any]] = {}
        for doc_type, tokens in wanted.items():
            unique = list(dict.fromkeys(tokens))
            for start in range(0, len(unique), _IN_BATCH):
                batch = unique[start : start + _IN_BATCH]
                for p in Person.objects.filter(
                    document_type=doc_type, document_bidx__in=batch
                ).values(
                    "id", "name", "document_type", "document_bidx", "document_masked",
                    "phone_bidx", "phone_masked", "household_id", "household__path",
                    "residence_status",
                ):  # fmt: skip
                    found[(doc_type, p["document_bidx"])] = dict(p)
        return found

    @staticmethod
    def _lookup(
        existing: dict[tuple[str, str], dict[str, Any]], row: _Row
    ) -> dict[str, Any] | None:
        for token in crypto.blind_indexes(row.doc_type, row.document):
            found = existing.get((row.doc_type, token))
            if found is not None:
                return found
        return None

    @staticmethod
    def _changes(row: _Row, node: Node, stored: dict[str, Any]) -> dict[str, list[Any]]:
        changes: dict[str, list[Any]] = {}
        if row.name != stored["name"]:
            changes["name"] = [stored["name"], row.name]
        if node.pk != stored["household_id"]:
            changes["household"] = [stored["household_id"], node.pk]
        if row.status is not None and row.status != stored["residence_status"]:
            changes["residence_status"] = [stored["residence_status"], row.status]
        if row.phone is not None and stored["phone_bidx"] not in crypto.blind_indexes(
            "phone", row.phone
        ):
            changes["phone"] = [stored["phone_masked"], mask_phone(row.phone)]
        return changes

    # one chunk ---------------------------------------------------------------------------

    def _decide(self, chunk: _Chunk, parsed: list[_Row | RowProblem]) -> None:
        rows = [r for r in parsed if isinstance(r, _Row)]
        existing = self._existing(rows) if rows else {}
        accepted: list[_Accepted] = []
        for item in parsed:
            if isinstance(item, RowProblem):
                chunk.problems.append(item)
                continue
            try:
                taken = self._accept(chunk, item, existing)
            except _Rejected as rejected:
                chunk.problems.append(
                    RowProblem(
                        item.number, "rejected", rejected.code, rejected.message, _values(item.raw)
                    )
                )
                continue
            if taken is not None:
                accepted.append(taken)
            if item.warnings:
                values = _values(item.raw)
                for code, message in item.warnings:
                    chunk.problems.append(RowProblem(item.number, "warning", code, message, values))
        nodes = self._materialize(a.levels for a in accepted)
        for a in accepted:
            node = nodes[a.levels]
            if a.stored is None:
                chunk.creates.append((a.row, node))
                chunk.count("created")
                continue
            changes = self._changes(a.row, node, a.stored)
            if changes:
                chunk.updates.append((a.row, node, a.stored, changes))
                chunk.count("updated")
            else:
                chunk.count("unchanged")

    def _accept(
        self, chunk: _Chunk, row: _Row, existing: dict[tuple[str, str], dict[str, Any]]
    ) -> _Accepted | None:
        """Decide whether the row goes in (None: a duplicate of an earlier row)."""
        self._locate(row)
        key = row.household_key()
        ident = (row.doc_type, row.document)
        earlier = self.seen.get(ident)
        if earlier is not None:
            if earlier.household != key:
                raise _Rejected(
                    "conflict",
                    _("与第%(row)d行是同一证件号码，但住户不同；以第%(row)d行为准")
                    % {"row": earlier.row},
                )
            differs = [
                column
                for column, before, after in zip(
                    ("姓名", "手机号", "居住状态"), earlier.signature, row.signature(), strict=True
                )
                if before != after
            ]
            if differs:
                row.warnings.append(
                    (
                        "duplicate_differs",
                        _("与第%(row)d行是同一人、同一住户，但%(columns)s不同；以第%(row)d行为准")
                        % {"row": earlier.row, "columns": "、".join(differs)},
                    )
                )
            chunk.count("duplicate")
            return None
        stored = self._lookup(existing, row)
        if stored is not None and not self.jurisdiction.contains_path(stored["household__path"]):
            # Not "registered outside your area": that would turn the import into a registry
            # lookup by ID number. The row is held back in words that name no one and say
            # nothing about the registry, and the lookup is recorded in the audit trail.
            self.held_back.append(stored["id"])
            raise _Rejected(
                "person_outside_jurisdiction",
                _("该行不能由您导入，请核对后联系指挥部处理"),
            )
        levels = _levels(row)
        if not self._may_place(levels):
            raise _Rejected("outside_jurisdiction", _("该住户不在您的辖区内"))
        self.seen[ident] = _Seen(row.number, key, row.signature())
        return _Accepted(row, key, levels, stored)

    def _write(self, chunk: _Chunk) -> None:
        now = timezone.now()
        events: list[tuple[str, Any, dict[str, Any]]] = []
        if chunk.creates:
            people = []
            for row, node in chunk.creates:
                assert isinstance(node, Place)
                person = Person(
                    name=row.name,
                    document_type=row.doc_type,
                    document_number=row.document,
                    phone=row.phone or "",
                    household=node,
                    residence_status=row.status or ResidenceStatus.RESIDENT,
                )
                person.derive_lookup_fields()
                people.append(person)
            insert_people(people)
            events.extend((AuditAction.CREATE, p, p.audit_snapshot()) for p in people)
        if chunk.updates:
            plain: list[Person] = []
            with_phone: list[Person] = []
            for row, node, stored, changes in chunk.updates:
                assert isinstance(node, Place)
                person = Person(
                    pk=stored["id"],
                    name=row.name,
                    document_type=row.doc_type,
                    document_number=row.document,
                    phone=row.phone or "",
                    household=node,
                    residence_status=row.status or stored["residence_status"],
                    updated_at=now,
                )
                person.derive_lookup_fields()
                (with_phone if "phone" in changes else plain).append(person)
                events.append((AuditAction.UPDATE, person, changes))
            fields = ["name", "name_pinyin", "name_initials", "household", "residence_status",
                      "updated_at"]  # fmt: skip
            if plain:
                Person.objects.bulk_update(plain, fields, batch_size=200)
            if with_phone:
                phone_fields = ["phone", "phone_bidx", "phone_masked", "phone_last4"]
                Person.objects.bulk_update(with_phone, fields + phone_fields, batch_size=100)
        if events:
            record_many(events)

    def _run_chunk(self, parsed: list[_Row | RowProblem]) -> _Chunk:
        if self.dry_run:
            chunk = _Chunk()
            self._decide(chunk, parsed)
            return chunk
        for attempt in range(1, _RETRIES + 1):
            seen = dict(self.seen)
            chunk = _Chunk()
            try:
                with transaction.atomic():
                    # Serializes writers: the second import waits here, then sees the first's
                    # places and people (SQLite serializes by its IMMEDIATE transactions).
                    Place.objects.select_for_update().filter(pk=self.county.pk).first()
                    self._decide(chunk, parsed)
                    self._write(chunk)
                return chunk
            except IntegrityError:
                # Someone else wrote the same place or person between our reads: forget what
                # we cached and decide the chunk again on what is stored now.
                self.seen = seen
                self._reset_places()
                self._db_estates = None
                self.county = Place.objects.get(pk=self.county.pk)
                for row in parsed:
                    if isinstance(row, _Row):
                        row.warnings = [w for w in row.warnings if w[0] != "duplicate_differs"]
                if attempt == _RETRIES:
                    raise
                logger.info("import chunk retried after a concurrent write (attempt %d)", attempt)
        raise AssertionError("unreachable")

    def _merge(self, chunk: _Chunk) -> None:
        result = self.result
        result.created += chunk.counts.get("created", 0)
        result.updated += chunk.counts.get("updated", 0)
        result.unchanged += chunk.counts.get("unchanged", 0)
        result.duplicate += chunk.counts.get("duplicate", 0)
        for problem in chunk.problems:
            result.problems.append(problem)
            if problem.level == "rejected":
                result.rejected += 1
                result.rejected_reasons[problem.code] = (
                    result.rejected_reasons.get(problem.code, 0) + 1
                )
            else:
                result.warnings += 1

    @staticmethod
    def _parse(number: int, raw: Mapping[str, Any], has_status: bool) -> _Row | RowProblem:
        try:
            return _parse_row(number, raw, has_status)
        except _Rejected as rejected:
            return RowProblem(number, "rejected", rejected.code, rejected.message, _values(raw))

    def run(self, table: Table, source: str) -> ImportResult:
        result = self.result
        result.ignored_columns = list(table.ignored_columns)
        result.rows = total = len(table.rows)
        for number, raw in table.rows[:PREVIEW_ROWS]:
            result.preview_rows.append({"行号": str(number), **masked_values(_values(raw))})
        has_status = "居住状态" in table.columns
        if self.progress:
            self.progress(0, total)
        parsed = [self._parse(number, raw, has_status) for number, raw in table.rows]
        for row in parsed:
            # An estate named with its township and community anywhere in the file locates
            # the rows that leave them blank, wherever they are: the outcome must not depend
            # on the order of the rows, or a re-import would differ from the first import.
            if isinstance(row, _Row) and row.township is not None and row.community is not None:
                self.file_estates.setdefault(row.estate[0], {})[
                    (row.township[0], row.community[0])
                ] = (row.township, row.community)
        done = 0
        items = iter(parsed)
        while batch := list(islice(items, CHUNK_ROWS)):
            self._merge(self._run_chunk(batch))
            done += len(batch)
            if self.progress:
                self.progress(done, total)
        result.problems.sort(key=lambda p: (p.row, p.level != "rejected"))
        if self.held_back:
            # Which people outside the area an uploaded file named (dry runs included).
            record(
                AuditAction.VIEW,
                target_type="people.person",
                label=_("导入时核对辖区外人员 ×%(n)d") % {"n": len(self.held_back)},
                detail={"source": source, "person_ids": self.held_back, "dry_run": self.dry_run},
            )
        if not self.dry_run:
            summary = result.as_dict()
            record(
                AuditAction.IMPORT,
                target_type="people.person",
                label=_("导入居民 %(source)s") % {"source": source},
                detail={"source": source, **summary},
            )
        return result


def import_records(
    records: Iterable[Mapping[str, object]],
    *,
    user: Any = None,
    dry_run: bool = False,
    progress: Progress | None = None,
    first_row: int = 2,
    source_name: str = "",
) -> ImportResult:
    """Import rows already in memory, keyed by header names (canonical or synonyms)."""
    importer = _Importer(user=user, dry_run=dry_run, progress=progress)
    columns: list[str] = []
    ignored: list[str] = []
    rows: list[tuple[int, dict[str, Any]]] = []
    for offset, record_ in enumerate(records):
        keyed: dict[str, Any] = {}
        for name, value in record_.items():
            canonical = canonical_column(name)
            if canonical is None:
                if name not in ignored:
                    ignored.append(str(name))
                continue
            if canonical not in columns:
                columns.append(canonical)
            keyed.setdefault(canonical, value)
        if any(clean_text(v) for v in keyed.values()):
            rows.append((first_row + offset, keyed))
    table = Table(columns=columns, ignored_columns=ignored, rows=rows)
    return importer.run(table, source_name or _("（程序数据）"))


def import_residents(
    path: Path,
    *,
    user: Any = None,
    dry_run: bool = False,
    progress: Progress | None = None,
    source_name: str = "",
) -> ImportResult:
    """Import a residents spreadsheet (.xlsx, or .csv in UTF-8 or GBK).

    The whole file is read (and its header checked) before anything is written, so a file
    that cannot be read raises ImportFileError with nothing changed."""
    importer = _Importer(user=user, dry_run=dry_run, progress=progress)
    table = read_table(Path(path))
    return importer.run(table, source_name or Path(path).name)
