"""docs/operations.md runs the points' uploads in a gunicorn pool of their own (issue 15,
section 4): the reverse proxy sends one location to `tongxin-upload` and everything else to
`tongxin-web`. The location must be the upload endpoint's path exactly, and each proxy_pass
must reach the port its service binds; otherwise uploads land on the pages' pool (or pages on
the uploads') without anyone noticing."""

import re
from pathlib import Path

from django.urls import resolve

OPERATIONS = Path(__file__).resolve().parents[3] / "docs" / "operations.md"


def _binds(text: str, service: str) -> str:
    unit = text.split(f"/etc/systemd/system/{service}.service", 1)[1].split("```", 1)[0]
    found = re.search(r"--bind (127\.0\.0\.1:\d+)", unit)
    assert found, f"{service}: no --bind"
    return found.group(1)


def test_the_upload_location_is_the_upload_endpoint_and_reaches_the_upload_pool():
    text = OPERATIONS.read_text()
    locations = dict(re.findall(r"location (= \S+|/) \{\s*proxy_pass http://(\S+);", text))
    exact = [path for path in locations if path.startswith("= ")]
    assert len(exact) == 1, locations
    upload_path = exact[0][2:]
    match = resolve(upload_path)
    assert match.url_name == "upload_events", match
    assert locations[exact[0]] == _binds(text, "tongxin-upload")
    assert locations["/"] == _binds(text, "tongxin-web")
    assert _binds(text, "tongxin-upload") != _binds(text, "tongxin-web")
