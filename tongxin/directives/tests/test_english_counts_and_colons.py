"""In English a directive to one unit says "1 unit" (ngettext, not "1 units"), and reports read
"name: text" with an English colon, not the full-width "："."""

import datetime as dt
from typing import Any

import pytest
from django.urls import reverse

from tongxin.directives import services

from .conftest import T0, Team

pytestmark = pytest.mark.django_db


def test_one_unit_and_english_colons(client: Any, incident: Any, chief: Any, water: Team):
    client.force_login(chief)
    response = client.post(
        reverse("directives:issue"),
        {"incident": incident.pk, "title": "核查", "text": "核查独居老人", "priority": "normal",
         "deadline": "2030-03-06T22:00", "units": [water.unit.pk], "requires_text": "on"},
        HTTP_ACCEPT_LANGUAGE="en", follow=True,
    )  # fmt: skip
    page = response.content.decode()
    assert "Directive issued to 1 unit" in page and "1 units" not in page
    assert "1 unit: 1 not signed for" in page

    target = services.get_directive(chief, response.context["directive"].pk).targets.get()
    services.add_feedback(target, water.staff, "已核查3幢", now=T0 + dt.timedelta(hours=1))
    client.force_login(water.staff)
    detail = client.get(
        reverse("directives:detail", args=[target.directive_id]), HTTP_ACCEPT_LANGUAGE="en"
    ).content.decode()
    assert f"{water.staff}: 已核查3幢" in detail
    assert "：" not in detail.split("<main", 1)[1].split("已核查3幢")[0][-40:]
