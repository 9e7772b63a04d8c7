"""The command post imports a round's test points from the round's page: a dry run first with
every row's reason, then the import; the same rules as `tongxin testing import-points`."""

from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from tongxin.accounts.models import Role
from tongxin.factories import UserFactory
from tongxin.incidents.models import Incident
from tongxin.testing.models import TestPoint, TestRound

from .test_first_night_by_command import POINTS, county  # noqa: F401  (the fixture)


def _round() -> TestRound:
    from django.core.management import call_command

    call_command("incident", "open", "--name", "首夜", "--edition", "np-9")
    call_command(
        "testing", "create-round", "--incident", "首夜", "--name", "第一轮",
        "--starts", "2022-03-06 07:00", "--deadline", "2022-03-06 19:00",
        "--area", "芹阳办事处/东门社区",
    )  # fmt: skip
    assert Incident.objects.count() == 1
    return TestRound.objects.get()


def _upload(client: Client, round: TestRound, *, dry_run: bool) -> str:
    data: dict[str, Any] = {"file": SimpleUploadedFile("采样点.csv", POINTS.encode("utf-8"))}
    if dry_run:
        data["dry_run"] = "1"
    response = client.post(reverse("testing:round_points_import", args=[round.pk]), data)
    assert response.status_code == 200
    return response.content.decode()


def test_dry_run_then_import_from_the_page(county: None) -> None:  # noqa: F811
    round = _round()
    client = Client()
    client.force_login(UserFactory(role=Role.COMMAND_POST))
    detail = client.get(reverse("testing:round", args=[round.pk])).content.decode()
    assert "从表格导入采样点" in detail

    page = _upload(client, round, dry_run=True)
    assert "检查结果（未导入）" in page and not TestPoint.objects.exists()
    assert "第 5 行" in page  # 无名点: no place served, named with its row

    page = _upload(client, round, dry_run=False)
    assert "导入结果" in page
    assert set(TestPoint.objects.values_list("name", flat=True)) == {
        "阳光小区东门采样点", "幸福小区采样点",
    }  # fmt: skip
    _upload(client, round, dry_run=False)
    assert TestPoint.objects.count() == 2  # the same file again creates nothing


def test_other_file_types_and_other_roles_are_refused(county: None) -> None:  # noqa: F811
    round = _round()
    client = Client()
    client.force_login(UserFactory(role=Role.COMMAND_POST))
    response = client.post(
        reverse("testing:round_points_import", args=[round.pk]),
        {"file": SimpleUploadedFile("points.txt", b"x")},
    )
    assert "不支持的文件类型" in response.content.decode()
    client.force_login(UserFactory(role=Role.GRID_STAFF))
    assert client.get(reverse("testing:round_points_import", args=[round.pk])).status_code in (
        403, 404,
    )  # fmt: skip
