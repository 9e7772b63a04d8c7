"""A request from the public page is recorded as coming from a member of the public: the Chinese
pages never call the resident "anonymous"."""

from typing import Any

import pytest
from django.urls import reverse

from tongxin.helpdesk.models import HelpRequest

from .public import submit

pytestmark = pytest.mark.django_db


def test_the_request_history_names_the_public_in_chinese(
    client: Any, desk: Any, chief: Any
) -> None:
    assert submit(client).status_code == 302
    request = HelpRequest.objects.get()
    client.force_login(desk)
    page = client.get(reverse("helpdesk:detail", args=[request.number])).content.decode()
    assert "公众（未登录）" in page
    assert "anonymous" not in page.lower()
    client.force_login(chief)
    audit = client.get(reverse("audit")).content.decode()
    assert "公众（未登录）" in audit and "anonymous" not in audit.lower()
