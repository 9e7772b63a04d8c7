"""A refused request (403) is logged as one line, never with a traceback."""

import logging

from django.urls import reverse


def test_permission_denied_logs_one_line_without_traceback(login, world, caplog):
    client = login("grid")
    with caplog.at_level(logging.WARNING, logger="django.request"):
        response = client.get(reverse("audit"))
    assert response.status_code == 403
    records = [r for r in caplog.records if r.name == "django.request"]
    assert len(records) == 1
    record = records[0]
    assert record.exc_info is None
    line = logging.Formatter().format(record)
    assert line == f"Forbidden (Permission denied): {reverse('audit')}"
    assert "Traceback" not in caplog.text
