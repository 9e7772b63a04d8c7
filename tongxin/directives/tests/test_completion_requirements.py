import datetime as dt
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from tongxin.accounts.models import User
from tongxin.directives import services
from tongxin.directives.models import DirectiveTarget, TargetStatus
from tongxin.incidents.models import Incident

from .conftest import T0, Team

pytestmark = pytest.mark.django_db

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32


@pytest.fixture
def target(incident: Incident, chief: User, water: Team) -> DirectiveTarget:
    directive = services.issue_directive(
        incident=incident, issued_by=chief, title="上门采样", text="封控楼栋上门采样",
        units=[water.unit], deadline=T0 + dt.timedelta(hours=8), number_label="已采样人数",
        requires_photo=True, now=T0,
    )  # fmt: skip
    return directive.targets.get()


def test_a_report_missing_what_was_asked_is_refused(target: DirectiveTarget, water: Team) -> None:
    with pytest.raises(services.DirectiveError) as refused:
        services.complete(target, water.leader, text="", now=T0 + dt.timedelta(hours=1))
    assert str(refused.value) == "办结报告还缺：文字报告、已采样人数、照片"
    target.refresh_from_db()
    assert target.status == TargetStatus.ISSUED


def test_a_complete_report_is_stored_with_its_photo(target: DirectiveTarget, water: Team) -> None:
    photo = SimpleUploadedFile("door.png", PNG, content_type="image/png")
    services.complete(target, water.leader, text="已完成", number=Decimal(36), photo=photo,
                      now=T0 + dt.timedelta(hours=2))  # fmt: skip
    target.refresh_from_db()
    assert target.status == TargetStatus.COMPLETED
    assert target.report_number == Decimal(36)
    assert target.report_photo.name.endswith(".png")
    with target.report_photo.open("rb") as f:
        assert f.read() == PNG
