"""Who is calling the API: a machine with a bearer token, or a browser with its session."""

import functools
from collections.abc import Callable
from typing import Any

from django.http import HttpRequest
from ninja.security import HttpBearer, SessionAuth

from tongxin.accounts.models import ApiToken
from tongxin.audit.context import acting_as, actor_for_user
from tongxin.audit.middleware import client_ip


class TokenAuth(HttpBearer):
    """`Authorization: Bearer tx_…` issued by `tongxin create_api_token`."""

    def __call__(self, request: HttpRequest) -> Any:
        # Ninja's own parser logs an unexpected header whole in DEBUG (a Basic header is a
        # password); this one never logs it.
        scheme, _, token = request.headers.get(self.header, "").partition(" ")
        if scheme.lower() != "bearer":
            return None
        return self.authenticate(request, token)

    def authenticate(self, request: HttpRequest, token: str) -> Any:
        if not token:
            return None
        return ApiToken.authenticate(token.strip())


class BrowserSessionAuth(SessionAuth):
    """The logged-in browser's session, with Django's CSRF check on unsafe methods.

    Ninja checks CSRF before looking at the session, which would answer an anonymous POST with
    403; without a logged-in user there is nothing to protect, so it is simply unauthenticated
    (401) like every other anonymous call.
    """

    def _get_key(self, request: HttpRequest) -> str | None:
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated:
            return None
        return super()._get_key(request)

    def authenticate(self, request: HttpRequest, key: str | None) -> Any:
        if key is None:
            return None
        return super().authenticate(request, key)


def act_as_caller(view_func: Callable[..., Any]) -> Callable[..., Any]:
    """Run an operation as its authenticated caller.

    The audit middleware only knows the session user; a token's user becomes `request.user`
    (so every `visible_to(request.user)` scopes by it) and the audit actor, on the API channel.
    """

    @functools.wraps(view_func)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> Any:
        user = getattr(request, "auth", None)
        if user is None:
            return view_func(request, *args, **kwargs)
        request.user = user
        with acting_as(actor_for_user(user, "api", client_ip(request))):
            return view_func(request, *args, **kwargs)

    return wrapper
