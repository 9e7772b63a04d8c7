"""The PII scan (issue 9): after a realistic run on the demo county (pages and API bodies as
several roles, a masked export, an import through the API, an audited reveal), no raw ID
number or phone of any resident, caller or staff member is found in the database (every
column of every table, read back raw), the media files, the log
output, the rendered pages and API bodies, or the exports. Compared against the decrypted
values, not a pattern."""

import io
import logging
import re
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import Client

from tongxin.accounts.models import Role, User
from tongxin.factories import make_id_number, make_mobile
from tongxin.helpdesk.models import HelpRequest
from tongxin.people.models import Person

DIGIT_RUNS = re.compile(r"\d{11,}[Xx]?")
PAGES = [
    "/", "/residents/", "/places/", "/audit/", "/helpdesk/", "/helpdesk/queue/",
    "/helpdesk/county/", "/helpdesk/stats/", "/care/", "/sampling/", "/sampling/positives/",
    "/testing/", "/zones/", "/zones/map/", "/directives/", "/notifications/",
    "/api/v1/residents/", "/api/v1/places/", "/api/v1/helpdesk/requests/", "/api/v1/care/runs/",
]  # fmt: skip
NEW_ID, NEW_PHONE = make_id_number(birth="19800808"), make_mobile()


def secrets() -> set[str]:
    values: set[str] = {NEW_ID, NEW_PHONE}
    for person in Person.objects.only("document_number", "phone"):
        values.update(v for v in (person.document_number, person.phone) if v)
    for request in HelpRequest.objects.all():
        values.update(v for v in (getattr(request, "phone", ""),) if v)
    values.update(u.phone for u in User.objects.exclude(phone="") if u.phone)
    return {v for v in values if len(v) >= 11}


def found_in(texts: Iterable[str], raws: set[str]) -> set[str]:
    hits: set[str] = set()
    for text in texts:
        for run in DIGIT_RUNS.findall(text):
            hits.update(r for r in raws if r in run)
    return hits


def body(response: Any) -> str:
    if getattr(response, "streaming", False):
        return b"".join(response.streaming_content).decode("utf-8-sig", "replace")
    return response.content.decode("utf-8", "replace")


def realistic_run(log: io.StringIO) -> tuple[list[str], str, str]:
    pages: list[str] = []
    for role in (Role.COMMAND_POST, Role.UNIT_LEADER, Role.GRID_STAFF, Role.HELPDESK):
        user = User.objects.get(username=role.value)
        client = Client(raise_request_exception=False)
        client.force_login(user)
        pages += [body(client.get(url)) for url in PAGES]
        # Searching by a full number, as people do.
        person = Person.objects.visible_to(user).first()
        if person is not None:
            pages.append(body(client.post("/residents/", {"q": person.document_number})))
            pages.append(body(client.get("/api/v1/residents/", {"q": person.phone})))
    chief = Client(raise_request_exception=False)
    chief.force_login(User.objects.get(username=Role.COMMAND_POST))
    export = body(chief.post("/exports/residents/", {"fmt": "csv"}))
    export += body(chief.get("/api/v1/exports/residents", {"format": "csv"}))
    leader = Client(raise_request_exception=False)
    leader.force_login(User.objects.get(username=Role.UNIT_LEADER))
    estate = Person.objects.visible_to(User.objects.get(username=Role.UNIT_LEADER)).first()
    assert estate is not None
    address = estate.household.address
    csv = (f"姓名,证件号码,手机号,详细地址\n新住户,{NEW_ID},{NEW_PHONE},{address}\n").encode()
    uploaded = leader.post("/api/v1/imports/", {"file": SimpleUploadedFile("住户.csv", csv)})
    pages.append(body(uploaded))
    revealed = chief.post(
        f"/residents/{estate.pk}/reveal/phone/",
        {"reason": "电话通知复检"},
        headers={"HX-Request": "true"},
    )
    assert estate.phone in body(revealed)  # the one audited reveal: not scanned as a page
    return pages, export, log.getvalue()


def database_texts() -> list[str]:
    texts: list[str] = []
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names(cursor):
            cursor.execute(f'SELECT * FROM "{table}"')  # noqa: S608 (table names from the db)
            for row in cursor.fetchall():
                texts.extend(
                    v.decode("utf-8", "replace") if isinstance(v, bytes) else str(v)
                    for v in row
                    if isinstance(v, str | bytes)
                )
    return texts


def media_texts() -> list[str]:
    root = Path(settings.MEDIA_ROOT)
    files = [p for p in root.rglob("*") if p.is_file()] if root.exists() else []
    return [p.read_bytes().decode("utf-8", "replace") for p in files]


def test_no_raw_id_or_phone_anywhere_after_a_realistic_run(demo: Any, tmp_path: Path) -> None:
    log = io.StringIO()
    handlers = {h for n in ("", "django.server") for h in logging.getLogger(n).handlers}
    streams = [h for h in handlers if isinstance(h, logging.StreamHandler)]
    old = [h.setStream(log) for h in streams]
    try:
        pages, export, log_text = realistic_run(log)
    finally:
        for handler, stream in zip(streams, old, strict=True):
            handler.setStream(stream)
    raws = secrets()
    assert NEW_ID in raws and len(raws) > 100
    assert len(pages) > 40 and "证件号码" in export
    places = {
        "pages and API bodies": found_in(pages, raws),
        "exports": found_in([export], raws),
        "log output": found_in([log_text], raws),
        "database": found_in(database_texts(), raws),
        "media files": found_in(media_texts(), raws),
    }
    assert {k: sorted(v)[:3] for k, v in places.items() if v} == {}
