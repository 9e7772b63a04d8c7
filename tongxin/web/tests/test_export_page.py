"""Exporting residents from the web: scoped to the user's jurisdiction, masked, audited."""

import csv
import io

import openpyxl
import pytest
from django.urls import reverse

from tongxin.audit.models import AuditAction, AuditEvent


def _csv_rows(response):
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    return list(csv.DictReader(io.StringIO(text)))


def test_unit_leader_exports_only_own_residents_masked(login, world):
    response = login("leader").post(reverse("export_residents"), {"fmt": "csv"})
    assert response.status_code == 200
    assert "attachment" in response["Content-Disposition"]
    assert "no-store" in response["Cache-Control"]
    rows = _csv_rows(response)
    assert sorted(r["姓名"] for r in rows) == sorted(["张三", "李梅", "王五", "赵六"])
    for person in world.people.values():
        for row in rows:
            assert person.document_number not in row.values()
            assert person.phone not in row.values()
    event = AuditEvent.objects.get(action=AuditAction.EXPORT)
    assert event.actor == world.users["leader"]
    assert event.detail["rows"] == 4 and event.detail["unmasked"] is False


def test_area_export_as_xlsx(login, world):
    building = world.households["sun-1-101"].parent
    response = login("command").post(
        reverse("export_residents"), {"fmt": "xlsx", "area": building.pk}
    )
    book = openpyxl.load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    names = [row[0] for row in book.active.iter_rows(min_row=2, values_only=True)]
    assert sorted(names) == sorted(["张三", "李梅", "王五"])
    event = AuditEvent.objects.get(action=AuditAction.EXPORT)
    assert event.detail["filters"]["area_id"] == building.pk


def test_command_post_may_export_unmasked(login, world):
    client = login("command")
    form = client.get(reverse("export_residents")).content.decode()
    assert 'name="unmask"' in form
    response = client.post(
        reverse("export_residents"),
        {"fmt": "csv", "area": world.sunshine.pk, "unmask": "on", "reason": "移交流调组"},
    )
    rows = _csv_rows(response)
    numbers = {r["证件号码"] for r in rows}
    assert world.people["zhang"].document_number in numbers
    event = AuditEvent.objects.get(action=AuditAction.EXPORT)
    assert event.detail["unmasked"] is True and event.detail["reason"] == "移交流调组"


def test_unit_leader_cannot_unmask(login, world):
    client = login("leader")
    assert 'name="unmask"' not in client.get(reverse("export_residents")).content.decode()
    response = client.post(reverse("export_residents"), {"fmt": "csv", "unmask": "on"})
    assert response.status_code == 403
    assert not AuditEvent.objects.filter(action=AuditAction.EXPORT).exists()


@pytest.mark.parametrize("role", ["grid", "investigator", "test_point", "lab", "sysadmin"])
def test_roles_without_export_permission_are_refused(login, world, role):
    client = login(role)
    assert client.get(reverse("export_residents")).status_code == 403
    assert client.post(reverse("export_residents"), {"fmt": "csv"}).status_code == 403
