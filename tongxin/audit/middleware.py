from collections.abc import Callable

from django.http import HttpRequest, HttpResponse

from tongxin.audit.context import acting_as, actor_for_user


def client_ip(request: HttpRequest) -> str:
    return request.META.get("REMOTE_ADDR", "") or ""


class AuditContextMiddleware:
    """Makes the request's user and address the actor for everything the request changes."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        channel = "api" if request.path.startswith("/api/") else "web"
        user = getattr(request, "user", None)
        with acting_as(actor_for_user(user, channel, client_ip(request))):
            return self.get_response(request)
