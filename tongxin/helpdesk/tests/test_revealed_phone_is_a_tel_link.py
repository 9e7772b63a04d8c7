"""A revealed callback number is a tel: link: one tap calls the resident back."""

from typing import Any

import pytest
from django.urls import reverse

from tongxin.helpdesk.models import HelpRequest

from .conftest import Team
from .test_personal_data_never_in_clear import CALLBACK, request_  # noqa: F401  (fixture)

pytestmark = pytest.mark.django_db


def test_the_revealed_phone_can_be_tapped_to_call(
    client: Any,
    request_: HelpRequest,  # noqa: F811
    supplies: Team,
) -> None:
    client.force_login(supplies.a)
    url = reverse("helpdesk:reveal", args=[request_.number, "phone"])
    for response in (client.post(url), client.post(url, HTTP_HX_REQUEST="true")):
        html = response.content.decode()
        assert f'href="tel:{CALLBACK}"' in html
