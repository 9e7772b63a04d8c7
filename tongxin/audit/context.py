"""Who is acting and from where, for the audit trail, without passing it through every call."""

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Actor:
    user: Any = None  # a User, or None for the system / command line
    label: str = "system"
    ip: str = ""
    channel: str = "system"  # web, api, cli, system


SYSTEM = Actor()
_current: ContextVar[Actor] = ContextVar("tongxin_actor", default=SYSTEM)


def current_actor() -> Actor:
    return _current.get()


@contextmanager
def acting_as(actor: Actor) -> Iterator[Actor]:
    token = _current.set(actor)
    try:
        yield actor
    finally:
        _current.reset(token)


def actor_for_user(user: Any, channel: str, ip: str = "") -> Actor:
    if user is not None and getattr(user, "is_authenticated", False):
        return Actor(user=user, label=user.get_username(), ip=ip, channel=channel)
    return Actor(user=None, label="anonymous", ip=ip, channel=channel)
