"""Headers and answers that hold for every response.

- Content-Security-Policy (`TONGXIN_CSP`): everything is vendored, so scripts, styles and
  images come from this site only; no inline script runs.
- API answers are `Cache-Control: no-store`: they may carry a revealed value.
- Under /api/ a URL that matches nothing (a non-numeric id) is a JSON 404, like any other
  404 of the API, never the HTML page.
- A number too large for the database (`?team=99999999999999999999`, an id in a path) is the
  caller's mistake: 400 on pages, 422 under /api/, never a server error.
"""

from collections.abc import Callable

from django.db import DataError
from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest, JsonResponse
from django.utils.translation import gettext as _

from tongxin.security import conf

API_PREFIX = "/api/"


def out_of_range_response(request: HttpRequest) -> HttpResponse:
    message = _("数值超出允许范围")
    if request.path.startswith(API_PREFIX):
        return JsonResponse({"detail": message}, status=422)
    return HttpResponseBadRequest(message, content_type="text/plain; charset=utf-8")


def _too_large(request: HttpRequest) -> HttpResponse | None:
    """A request body past TONGXIN_MAX_REQUEST_BYTES is refused before it is read."""
    from tongxin.core.uploads import MB

    limit = int(conf.get("TONGXIN_MAX_REQUEST_BYTES"))
    try:
        length = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        length = 0
    if length <= limit:
        return None
    message = _("提交的内容过大（上限 %(limit)d MB）") % {"limit": limit // MB}
    if request.path.startswith(API_PREFIX):
        return JsonResponse({"detail": message}, status=413)
    return HttpResponse(message, status=413, content_type="text/plain; charset=utf-8")


class SecurityHeadersMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        too_large = _too_large(request)
        response = too_large or self.get_response(request)
        is_api = request.path.startswith(API_PREFIX)
        if (
            is_api
            and response.status_code == 404
            and not response.get("Content-Type", "").startswith("application/json")
        ):
            response = JsonResponse({"detail": _("未找到")}, status=404)
        if is_api:
            response["Cache-Control"] = "no-store, private"
        response.setdefault("Content-Security-Policy", conf.get("TONGXIN_CSP"))
        return response

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if isinstance(exception, OverflowError | DataError):
            return out_of_range_response(request)
        return None


class RejectNulBytesMiddleware:
    """A NUL character in a cookie, the query string or a JSON body is refused before anything
    reads it: PostgreSQL cannot store it, and a session cookie holding one would otherwise end
    in a server error on the session lookup."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        for name in [n for n, v in request.COOKIES.items() if "\x00" in v or "\x00" in n]:
            del request.COOKIES[name]
        query = request.META.get("QUERY_STRING", "")
        bad = "\x00" in query or "%00" in query
        if not bad and request.content_type == "application/json":
            try:
                body = request.body
            except Exception:  # too large: the request's own handling answers
                body = b""
            bad = b"\x00" in body or b"\\u0000" in body
        if bad:
            message = _("请求中含有不允许的空字符")
            if request.path.startswith(API_PREFIX):
                return JsonResponse({"detail": message}, status=422)
            return HttpResponseBadRequest(message, content_type="text/plain; charset=utf-8")
        return self.get_response(request)


class SecondFactorMiddleware:
    """A signed-in user whose role reveals or unmasks, with TONGXIN_OTP_REQUIRED on and no code
    verified in this session, sees the second-factor pages (enrolment, or the code) before any
    other page. The API is not redirected: its reveals and unmasked exports refuse instead
    (tongxin.accounts.second_factor)."""

    EXEMPT = ("/accounts/otp/", "/accounts/logout/", "/i18n/", "/static/", API_PREFIX)

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        from tongxin.accounts import second_factor

        user = getattr(request, "user", None)
        if (
            user is not None
            and user.is_authenticated
            and not request.path.startswith(self.EXEMPT)
            and second_factor.required_for(user)
            and not second_factor.is_verified(user)
        ):
            return _to_second_factor(request)
        return self.get_response(request)


def _to_second_factor(request: HttpRequest) -> HttpResponse:
    from django.shortcuts import redirect
    from django.urls import reverse
    from django.utils.http import urlencode
    from django_htmx.http import HttpResponseClientRedirect

    htmx = getattr(request, "htmx", None)
    back = (htmx.current_url_abs_path if htmx else None) or request.get_full_path()
    if htmx and back.startswith(SecondFactorMiddleware.EXEMPT[0]):
        # A fragment the second-factor page itself asks for (the inbox badge): nothing to swap.
        return HttpResponse(status=204)
    url = f"{reverse('second_factor')}?{urlencode({'next': back})}"
    if htmx:
        return HttpResponseClientRedirect(url)
    return redirect(url)
