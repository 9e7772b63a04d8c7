"""The second-factor pages: enrol an authenticator, or enter its code, after logging in."""

from collections.abc import Callable
from typing import Any

from django import forms
from django.http import HttpRequest
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render, resolve_url
from django.utils.http import url_has_allowed_host_and_scheme, urlencode
from django.utils.translation import gettext_lazy as _
from django_otp import login as otp_login
from django_otp.plugins.otp_totp.models import TOTPDevice

from tongxin.accounts import second_factor as rule
from tongxin.helpdesk.services.ratelimit import client_ip
from tongxin.security import second_factor as service
from tongxin.web.decorators import page


class CodeForm(forms.Form):
    code = forms.CharField(label=_("验证码"), max_length=12, strip=True)


def _next(request: HttpRequest) -> str:
    wanted = request.POST.get("next") or request.GET.get("next") or ""
    if wanted and url_has_allowed_host_and_scheme(
        wanted, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return wanted
    return resolve_url("home")


def _onward(request: HttpRequest, name: str) -> HttpResponseBase:
    return redirect(f"{resolve_url(name)}?{urlencode({'next': _next(request)})}")


def _done(request: HttpRequest) -> bool:
    user: Any = request.user
    return not rule.required_for(user) or rule.is_verified(user)


@page()
def second_factor(request: HttpRequest) -> HttpResponseBase:
    """Where the middleware sends an unverified user: enrolment first time, the code after."""
    if _done(request):
        return redirect(_next(request))
    if service.confirmed_device(request.user) is None:
        return _onward(request, "second_factor_enrol")
    return _onward(request, "second_factor_verify")


def _code_step(
    request: HttpRequest,
    check: Callable[[Any, str, str], TOTPDevice],
    template: str,
    extra: Callable[[], dict[str, Any]],
) -> HttpResponseBase:
    """Take a code through `check` (the service); a good one verifies this session."""
    form = CodeForm(request.POST or None)
    error = ""
    if request.method == "POST" and form.is_valid():
        try:
            device = check(request.user, form.cleaned_data["code"], client_ip(request))
        except service.CodeRefused as exc:
            error = str(exc)
        else:
            otp_login(request, device)
            return redirect(_next(request))
    # No navigation on the second-factor pages: nothing else opens before the code.
    context = {"form": form, "error": error, "next": _next(request), "tx_second_factor_step": True}
    return render(request, template, context | extra(), status=400 if error else 200)


@page()
def enrol(request: HttpRequest) -> HttpResponseBase:
    user: Any = request.user
    if _done(request):
        return redirect(_next(request))
    if service.confirmed_device(user) is not None:
        return _onward(request, "second_factor_verify")

    def secret() -> dict[str, Any]:
        device = service.pending_device(user)
        return {"qr": service.qr_svg(device), "secret": service.secret_text(device)}

    return _code_step(request, service.enrol, "security/enrol.html", secret)


@page()
def verify(request: HttpRequest) -> HttpResponseBase:
    if _done(request):
        return redirect(_next(request))
    if service.confirmed_device(request.user) is None:
        return _onward(request, "second_factor_enrol")
    return _code_step(request, service.verify, "security/verify.html", dict)
