import datetime as dt
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from tongxin.accounts.models import Role, User
from tongxin.directives import services
from tongxin.directives.models import Directive, DirectiveTarget, TargetStatus
from tongxin.factories import UserFactory
from tongxin.incidents.models import Incident

from .conftest import T0, Team

pytestmark = pytest.mark.django_db


@pytest.fixture
def directive(incident: Incident, chief: User, water: Team, health: Team) -> Directive:
    return services.issue_directive(
        incident=incident, issued_by=chief, title="水利局专项", text="只发给水利局",
        units=[water.unit], deadline=T0 + dt.timedelta(days=30), now=T0,
        attachments=[SimpleUploadedFile("方案.pdf", b"%PDF-1.4", content_type="application/pdf")],
    )  # fmt: skip


def test_visible_to(directive: Directive, chief: User, water: Team, health: Team) -> None:
    assert list(Directive.objects.visible_to(chief)) == [directive]
    assert list(Directive.objects.visible_to(water.staff)) == [directive]
    assert list(Directive.objects.visible_to(health.leader)) == []
    assert list(Directive.objects.visible_to(UserFactory(role=Role.GRID_STAFF))) == []
    sysadmin = UserFactory(role=Role.SYSADMIN)
    assert list(Directive.objects.visible_to(sysadmin)) == []
    assert list(DirectiveTarget.objects.visible_to(health.leader)) == []


def test_other_units_get_404_everywhere(
    client: Any, directive: Directive, water: Team, health: Team
) -> None:
    target = directive.targets.get()
    attachment = directive.attachments.get()
    client.force_login(health.leader)
    for url in (
        reverse("directives:detail", args=[directive.pk]),
        reverse("directives:attachment", args=[directive.pk, attachment.pk]),
        reverse("directives:unit", args=[water.unit.pk]),
        reverse("directives:file", args=["target", target.pk]),
    ):
        assert client.get(url).status_code == 404, url
    for name in ("sign", "feedback", "complete", "assign"):
        assert client.post(reverse(f"directives:{name}", args=[target.pk])).status_code == 404
    target.refresh_from_db()
    assert target.status == TargetStatus.ISSUED
    # Units cannot issue or see the command post's board.
    assert client.get(reverse("directives:issue")).status_code == 403
    assert client.get(reverse("directives:units")).status_code == 404


def test_the_target_unit_downloads_the_attachment(
    client: Any, directive: Directive, water: Team
) -> None:
    client.force_login(water.staff)
    attachment = directive.attachments.get()
    response = client.get(reverse("directives:attachment", args=[directive.pk, attachment.pk]))
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == b"%PDF-1.4"
    assert response["Content-Disposition"].startswith("attachment")
