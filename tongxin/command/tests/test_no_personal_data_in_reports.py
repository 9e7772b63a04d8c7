"""A report carries no personal data: its .docx and .xlsx hold no ID number, no mobile
number, and none of the demo resident's details, whatever the requests said."""

import html
import io
import re
import zipfile

from tongxin.command.factories import help_request, local
from tongxin.command.services import documents, reports, timeline
from tongxin.zones.services import record_positive

from .conftest import ID_NUMBER, NAME, PHONE

ID_PATTERN = re.compile(r"(?<!\d)\d{6}(?:19|20)\d{2}(?:0[1-9]|1[0-2])\d{2}\d{3}[\dXx](?!\d)")
PHONE_PATTERN = re.compile(r"(?<!\d)1[3-9]\d{9}(?!\d)")


def _text_of(data: bytes) -> str:
    archive = zipfile.ZipFile(io.BytesIO(data))
    # openpyxl writes non-ASCII text as character references: read what a person would.
    return html.unescape(
        "".join(archive.read(n).decode("utf-8", "replace") for n in archive.namelist())
    )


def test_report_files_hold_no_id_or_phone(world):
    incident = world.incident
    help_request(
        incident,
        local(7, 9),
        world.homes["sun"],
        phone=PHONE,
        caller_name=NAME,
        text=f"我是{NAME}，身份证{ID_NUMBER}，电话{PHONE}，家里没菜了",
    )
    record_positive(incident, world.homes["sun"], local(7, 11), source="单管阳性")
    timeline.add_manual(incident, local(7, 20), "召开指挥部会议", world.users["command"])
    report = reports.generate(incident, local(7).date(), now=local(8, 1))
    report = reports.edit(report, world.users["command"], {"key_work": "全员核酸"})
    for data in (documents.render_docx(report), documents.render_xlsx(report)):
        text = _text_of(data)
        assert ID_PATTERN.search(text) is None
        assert PHONE_PATTERN.search(text) is None
        for value in (ID_NUMBER, PHONE, NAME):
            assert value not in text
        # The positive is on the record, by its estate only.
        assert "阳光小区发现阳性1例" in text
        assert "召开指挥部会议" in text
