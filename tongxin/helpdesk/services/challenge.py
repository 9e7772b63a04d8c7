"""A challenge that works without any outside service: a small sum to solve, signed so the
server needs no storage to check it, usable once, and not answerable faster than a person
could fill in the form. A hidden field that people never see catches simple robots.
"""

import datetime as dt
import hmac
import secrets
from dataclasses import dataclass

from django.core import signing
from django.utils import timezone
from django.utils.translation import gettext as _

from tongxin.core.crypto import blind_index
from tongxin.helpdesk import conf
from tongxin.helpdesk.services import ratelimit

SALT = "tongxin.helpdesk.challenge"
MAX_AGE = dt.timedelta(hours=2)
HONEYPOT_FIELD = "website"


class ChallengeFailed(ValueError):
    """The message is shown to the person filling in the form."""


@dataclass(frozen=True)
class Challenge:
    question: str
    token: str


def _answer_key(nonce: str, answer: object) -> str:
    # A signed token is readable by anyone (signed, not encrypted): it carries a keyed hash
    # of the answer, never the answer itself.
    return blind_index("helpdesk-challenge", f"{nonce}:{str(answer).strip()}")


def issue(now: dt.datetime | None = None) -> Challenge:
    now = now or timezone.now()
    a, b = secrets.randbelow(9) + 1, secrets.randbelow(9) + 1
    nonce = secrets.token_hex(8)
    token = signing.dumps(
        {"h": _answer_key(nonce, a + b), "t": int(now.timestamp()), "n": nonce}, salt=SALT
    )
    return Challenge(question=_("%(a)d 加 %(b)d 等于几？") % {"a": a, "b": b}, token=token)


def verify(token: str, answer: str, honeypot: str = "", now: dt.datetime | None = None) -> None:
    """Raise ChallengeFailed unless the answer is right, in time, and the token unused."""
    now = now or timezone.now()
    if honeypot:
        raise ChallengeFailed(_("提交失败，请刷新页面后重试"))
    try:
        data = signing.loads(token, salt=SALT)
    except signing.BadSignature:
        raise ChallengeFailed(_("验证已失效，请重新作答")) from None
    issued = dt.datetime.fromtimestamp(int(data.get("t", 0)), tz=dt.UTC)
    age = now - issued
    if age > MAX_AGE:
        raise ChallengeFailed(_("页面停留时间过长，请重新作答"))
    if age < dt.timedelta(seconds=conf.min_fill_seconds()):
        raise ChallengeFailed(_("提交过快，请稍后再提交"))
    if not hmac.compare_digest(_answer_key(str(data.get("n")), answer), str(data.get("h"))):
        raise ChallengeFailed(_("验证题答案不正确，请重新计算"))
    # Single use: a replayed token (a robot posting the same solved form again) is refused.
    # The window is the token's own (by its issue time), so a replay always lands in it.
    if not ratelimit.hit("challenge", str(data.get("n")), 1, 24 * 3600, issued):
        raise ChallengeFailed(_("该页面已提交过，请刷新后再提交新的求助"))
