"""/api/v1/: the same data as the pages, scoped the same way, for machines and the browser.

Machines send `Authorization: Bearer tx_…` (`tongxin create_api_token`); the browser uses its
session and Django's CSRF token. Anything outside the caller's jurisdiction is 404.
"""

import logging
from typing import Any

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.db import InterfaceError, OperationalError
from django.http import Http404, HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from ninja import NinjaAPI
from ninja.errors import AuthenticationError

from tongxin.api.auth import BrowserSessionAuth, TokenAuth, act_as_caller
from tongxin.api.care import router as care_router
from tongxin.api.command import router as command_router
from tongxin.api.docs import OfflineSwagger
from tongxin.api.helpdesk import router as helpdesk_router
from tongxin.api.imports import exports_router
from tongxin.api.imports import router as imports_router
from tongxin.api.isolation import router as isolation_router
from tongxin.api.places import router as places_router
from tongxin.api.residents import router as residents_router
from tongxin.api.sampling import router as sampling_router
from tongxin.api.supplies import router as supplies_router
from tongxin.api.tracing import router as tracing_router
from tongxin.api.workforce import router as workforce_router
from tongxin.people.services import PermissionDenied, ReasonRequired
from tongxin.sampling.services.admission import busy_retry_after

logger = logging.getLogger(__name__)


class TongxinAPI(NinjaAPI):
    """The API, its schema declaring the error answers every operation may give."""

    def get_openapi_schema(self, *args: Any, **kwargs: Any) -> Any:
        from tongxin.api.errors import declare_errors

        return declare_errors(super().get_openapi_schema(*args, **kwargs))


api = TongxinAPI(
    title="Tongxin API",
    version="1",
    description=(
        "Places, residents (masked), import jobs and exports of the Tongxin (同心) platform, "
        "scoped to the caller's jurisdiction exactly like its pages."
    ),
    urls_namespace="api",
    auth=[TokenAuth(), BrowserSessionAuth()],
    docs=OfflineSwagger(),
)
api.add_decorator(act_as_caller, mode="operation")

api.add_router("/places/", places_router)
api.add_router("/residents/", residents_router)
api.add_router("/imports/", imports_router)
api.add_router("/exports/", exports_router)

api.add_router("/sampling/", sampling_router)
api.add_router("/helpdesk/", helpdesk_router)
api.add_router("/care/", care_router)
api.add_router("/tracing/", tracing_router)
api.add_router("/isolation/", isolation_router)
api.add_router("/workforce/", workforce_router)
api.add_router("/supplies/", supplies_router)
api.add_router("/command/", command_router)


@api.exception_handler(AuthenticationError)
def unauthenticated(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
    response = api.create_response(
        request, {"detail": _("请先登录，或提供有效的接口令牌")}, status=401
    )
    response["WWW-Authenticate"] = "Bearer"
    return response


@api.exception_handler(Http404)
def not_found(request: HttpRequest, exc: Http404) -> HttpResponse:
    # The same answer whether the object does not exist or is outside the caller's reach.
    return api.create_response(request, {"detail": _("未找到")}, status=404)


@api.exception_handler(PermissionDenied)
def forbidden(request: HttpRequest, exc: PermissionDenied) -> HttpResponse:
    # A missing reason for a reveal or an unmasked export is the caller's input to fix.
    status = 422 if isinstance(exc, ReasonRequired) else 403
    return api.create_response(request, {"detail": str(exc)}, status=status)


@api.exception_handler(DjangoPermissionDenied)
def forbidden_by_rule(request: HttpRequest, exc: DjangoPermissionDenied) -> HttpResponse:
    # Django's PermissionDenied from a lower layer (the second-factor rule, the hourly reveal
    # limit): JSON like every other answer of the API, never the HTML page.
    return api.create_response(request, {"detail": str(exc) or _("无权访问")}, status=403)


@api.exception_handler(OperationalError)
@api.exception_handler(InterfaceError)
def database_unavailable(request: HttpRequest, exc: Exception) -> HttpResponse:
    """The database restarting or out of connections, wherever it shows (the token check
    included, before any endpoint runs): 503 with `Retry-After`, never a 500. Nothing was
    committed, so the caller sends the same request again. The log names the kind only (a
    database message may quote the values it was given)."""
    logger.warning("API request deferred (503): database %s", type(exc).__name__)
    response = api.create_response(
        request, {"detail": _("服务器暂时无法访问数据库，请稍后重试")}, status=503
    )
    response["Retry-After"] = str(busy_retry_after())
    return response
