"""Finding 9: the help form's signed token does not carry its own answer."""

import base64
import datetime as dt
import json
from typing import Any

import pytest
from django.core import signing

from tongxin.helpdesk.services import challenge


def _payload(token: str) -> dict[str, Any]:
    # What anybody can read from the token without the server's key.
    body = token.split(":")[0]
    raw = base64.urlsafe_b64decode(body + "=" * (-len(body) % 4))
    return json.loads(raw)


def test_the_token_carries_no_readable_answer(db: Any, settings: Any) -> None:
    settings.TONGXIN_HELPDESK_MIN_FILL_SECONDS = 0
    issued = dt.datetime(2022, 3, 6, 4, 0, tzinfo=dt.UTC)
    found = challenge.issue(issued)
    a, b = (int(x) for x in found.question.replace("？", "").split(" 等于")[0].split(" 加 "))
    data = _payload(found.token)
    assert "s" not in data and str(a + b) not in {str(v) for v in data.values()}
    assert signing.loads(found.token, salt=challenge.SALT) == data
    later = issued + dt.timedelta(seconds=30)
    with pytest.raises(challenge.ChallengeFailed):
        challenge.verify(found.token, str(a + b + 1), now=later)
    challenge.verify(found.token, str(a + b), now=later)
