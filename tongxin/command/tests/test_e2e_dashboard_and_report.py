"""End to end in Chromium: the command post signs in, opens the dashboard, drills down from
the county to a township and an estate, opens the day's report and downloads it."""

import io
from pathlib import Path

from docx import Document

from tongxin.command.factories import help_request, local
from tongxin.command.services import reports
from tongxin.core.testing.e2e import e2e_marks, shot, sign_in

from .conftest import PASSWORD

pytestmark = e2e_marks


def test_dashboard_drill_down_and_download_the_report(desktop, live_server, world):
    help_request(world.incident, local(7, 9), world.homes["sun"], closed_at=local(7, 15))
    help_request(world.incident, local(7, 10), world.homes["huabu"], phone="13700000001")
    reports.generate(world.incident, local(7).date(), now=local(8, 1))

    page = desktop.new_page()
    sign_in(page, live_server.url, "command", PASSWORD)
    page.get_by_role("link", name="指挥部", exact=True).click()
    page.wait_for_url(live_server.url + "/command/")
    assert page.locator("h1").inner_text() == "指挥部态势"
    received = page.locator('[data-key="helpdesk.received"] b')
    assert received.inner_text() == "2"
    # The trends are drawn by ECharts from the vendored script.
    page.wait_for_selector("#chart-day[data-loaded='1'] canvas")

    page.locator("a.drill", has_text="芹阳办事处").click()
    page.wait_for_url("**/command/?area=*")
    page.locator("a.drill", has_text="阳光小区").click()
    page.wait_for_selector("#area-name")
    assert page.locator("#area-name").inner_text() == "阳光小区"
    assert page.locator('[data-key="helpdesk.received"] b').inner_text() == "1"
    # Let the estate's trends request finish before leaving: a request still running on the
    # live server when the test ends deadlocks with the database flush of the teardown.
    page.wait_for_selector("#chart-day[data-loaded='1'] canvas")
    shot(page, "command-estate")

    page.get_by_role("link", name="工作日报").click()
    page.get_by_role("link", name="第1期").click()
    assert "截至3月7日24时" in page.locator(".lead").inner_text()
    # The report's help platform section: both requests received that day, one closed.
    help_section = page.locator("section", has=page.get_by_role("heading", name="求助平台"))
    assert help_section.locator("tr", has_text="受理").locator("td").nth(1).inner_text() == "2"
    assert help_section.locator("tr", has_text="办结").locator("td").nth(1).inner_text() == "1"
    with page.expect_download() as info:
        page.get_by_role("link", name="下载 Word（.docx）").click()
    download = info.value
    assert download.suggested_filename.endswith(".docx")
    doc = Document(io.BytesIO(Path(download.path()).read_bytes()))
    assert doc.paragraphs[0].text == "疫情防控工作日报"
    assert "第1期" in "".join(p.text for p in doc.paragraphs[:3])
    assert "求助平台" in [p.text for p in doc.paragraphs]
    rows = [[c.text for c in row.cells] for table in doc.tables for row in table.rows]
    assert rows[[r[0] for r in rows].index("受理")][:2] == ["受理", "2"]
    # No personal data in what was downloaded: not the caller's phone.
    assert not any("13700000001" in cell for row in rows for cell in row)
