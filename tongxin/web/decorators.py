from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest
from django.http.response import HttpResponseBase
from django.shortcuts import resolve_url
from django.utils.cache import add_never_cache_headers, patch_cache_control
from django.utils.http import urlencode
from django.views.decorators.vary import vary_on_headers
from django_htmx.http import HttpResponseClientRedirect

from tongxin.accounts.permissions import Perm, has_perm

View = Callable[..., HttpResponseBase]


def _to_login(request: HttpRequest) -> HttpResponseBase:
    htmx = getattr(request, "htmx", None)
    if htmx:
        # A fragment request must not swap the login page into a corner of the current one:
        # send the whole browser to the login page, and back to the page it was on.
        back = htmx.current_url_abs_path or request.get_full_path()
        return HttpResponseClientRedirect(f"{resolve_url('login')}?{urlencode({'next': back})}")
    return redirect_to_login(request.get_full_path())


def revalidate_privately(response: HttpResponseBase) -> HttpResponseBase:
    """Let the browser keep this answer for this user and ask the server each time
    (`Cache-Control: private, no-cache`, with the ETag the view set) instead of `page()`'s
    never-cache. Only for an answer without personal data: counts, names of places."""
    response.tx_revalidate = True  # type: ignore[attr-defined]
    return response


def page(perm: Perm | None = None) -> Callable[[View], View]:
    """A signed-in page, never cached (it may carry personal data), optionally needing a perm.
    A view may mark an answer without personal data `revalidate_privately` instead.

    Responses vary on HX-Request because the same URL returns a fragment to htmx and a whole
    page to everyone else.
    """

    def decorate(view: View) -> View:
        @wraps(view)
        def checked(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
            if not request.user.is_authenticated:
                response = _to_login(request)
            elif perm is not None and not has_perm(request.user, perm):
                raise PermissionDenied
            else:
                response = view(request, *args, **kwargs)
            if getattr(response, "tx_revalidate", False):
                patch_cache_control(response, private=True, no_cache=True, max_age=0)
            else:
                add_never_cache_headers(response)
            return response

        return vary_on_headers("HX-Request")(checked)

    return decorate


def is_fragment_request(request: HttpRequest, target: str | None = None) -> bool:
    """An htmx swap (not a history restore, which needs the whole page) aimed at `target`."""
    htmx = getattr(request, "htmx", None)
    if not htmx or htmx.history_restore_request or htmx.boosted:
        return False
    return target is None or htmx.target == target
