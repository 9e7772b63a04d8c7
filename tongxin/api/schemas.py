"""What the API sends. Personal data appears only in its masked form: no schema here has a
field for a plaintext document number or phone (the reveal endpoint returns one value)."""

import datetime as dt
from typing import Any, Literal

from ninja import Field, Schema

from tongxin.api.redact import redact


class Crumb(Schema):
    id: int | None  # None: above the caller's jurisdiction, named for orientation only
    kind: str
    name: str


class PlaceOut(Schema):
    id: int
    parent_id: int | None
    kind: str
    kind_label: str
    name: str
    address: str
    code: str
    lat: float | None
    lng: float | None
    numchild: int
    residents: int

    @staticmethod
    def from_place(place: Any, residents: int, parent_visible: bool = True) -> dict[str, Any]:
        return {
            "id": place.pk,
            "parent_id": place.parent_id if parent_visible else None,
            "kind": place.kind,
            "kind_label": str(place.get_kind_display()),
            "name": place.name,
            "address": place.address,
            "code": place.code,
            "lat": float(place.latitude) if place.latitude is not None else None,
            "lng": float(place.longitude) if place.longitude is not None else None,
            "numchild": place.numchild,
            "residents": residents,
        }


class PlaceDetail(PlaceOut):
    ancestors: list[Crumb]


class HouseholdRef(Schema):
    id: int
    name: str
    address: str


class ResidentOut(Schema):
    """A resident as lists show them. No birth date: with the masked ID's region and last four
    digits it would rebuild the whole number, so only the age is given."""

    id: int
    name: str
    sex: str
    sex_label: str
    age: int | None
    document_type: str
    document_type_label: str
    document_masked: str
    phone_masked: str
    residence_status: str
    residence_status_label: str
    household: HouseholdRef

    @staticmethod
    def resolve_sex_label(obj: Any) -> str:
        return str(obj.get_sex_display()) if obj.sex else ""

    @staticmethod
    def resolve_age(obj: Any) -> int | None:
        return obj.age

    @staticmethod
    def resolve_document_type_label(obj: Any) -> str:
        return str(obj.get_document_type_display())

    @staticmethod
    def resolve_residence_status_label(obj: Any) -> str:
        return str(obj.get_residence_status_display())


class ResidentDetail(ResidentOut):
    notes: str
    created_at: dt.datetime
    updated_at: dt.datetime


class RevealIn(Schema):
    field: Literal["document_number", "phone"]
    # Why the value is needed; kept in the audit trail with the reveal.
    reason: str = Field(min_length=2, max_length=200)


class RevealOut(Schema):
    id: int
    field: str
    value: str


class ImportJobOut(Schema):
    id: int
    kind: str
    status: str
    status_label: str
    original_name: str
    created_by: str
    created_at: dt.datetime
    started_at: dt.datetime | None
    finished_at: dt.datetime | None
    progress_done: int
    progress_total: int
    percent: int
    preview: dict[str, Any]
    summary: dict[str, Any]
    failure: str
    has_errors_file: bool

    @staticmethod
    def resolve_status_label(obj: Any) -> str:
        return str(obj.get_status_display())

    @staticmethod
    def resolve_created_by(obj: Any) -> str:
        return obj.created_by.get_username() if obj.created_by_id else ""

    @staticmethod
    def resolve_preview(obj: Any) -> dict[str, Any]:
        return redact(obj.preview or {})

    @staticmethod
    def resolve_summary(obj: Any) -> dict[str, Any]:
        return redact(obj.summary or {})

    @staticmethod
    def resolve_failure(obj: Any) -> str:
        return redact(obj.failure or "")

    @staticmethod
    def resolve_has_errors_file(obj: Any) -> bool:
        return bool(obj.errors_file)


class Message(Schema):
    detail: str
