"""The same snapshot renders to the same .docx and .xlsx bytes, whenever it is rendered."""

import time

from tongxin.command.factories import help_request, local
from tongxin.command.services import documents, reports


def _report(world):
    help_request(world.incident, local(7, 9), world.homes["sun"], closed_at=local(7, 15))
    report = reports.generate(world.incident, local(7).date(), now=local(8, 1))
    return reports.edit(report, world.users["command"], {"key_work": "开展全员核酸检测"})


def test_rendering_twice_gives_identical_bytes(world, monkeypatch):
    report = _report(world)
    docx_first, xlsx_first = documents.render_docx(report), documents.render_xlsx(report)
    # An hour and a day later, from a fresh copy of the row.
    real = time.time
    monkeypatch.setattr(time, "time", lambda: real() + 90_000)
    report.refresh_from_db()
    assert documents.render_docx(report) == docx_first
    assert documents.render_xlsx(report) == xlsx_first


def test_a_changed_text_section_changes_the_document(world):
    report = _report(world)
    before = documents.render_docx(report)
    report = reports.edit(report, world.users["command"], {"key_work": "另一段文字"})
    assert documents.render_docx(report) != before
