"""The one-time activation link: a staff member created without a password sets their own."""

from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters

from tongxin.accounts.activation import ActivationError, activate, find_activation


@never_cache
@sensitive_post_parameters("password1", "password2")
def activate_account(request: HttpRequest, key: str) -> HttpResponse:
    try:
        activation = find_activation(key)
    except ActivationError as exc:
        return render(request, "web/accounts/activate.html", {"invalid": str(exc)}, status=404)
    errors: list[str] = []
    if request.method == "POST":
        first, second = request.POST.get("password1", ""), request.POST.get("password2", "")
        if first != second:
            errors.append(_("两次输入的密码不一致"))
        else:
            try:
                user = activate(key, first)
            except ValidationError as exc:
                errors.extend(exc.messages)
            except ActivationError as exc:
                return render(
                    request, "web/accounts/activate.html", {"invalid": str(exc)}, status=404
                )
            else:
                # Signing in goes through the login page like every other time (whatever it
                # asks besides the password applies to the first sign-in too).
                query = urlencode({"activated": "1", "username": user.get_username()})
                return redirect(f"{reverse('login')}?{query}")
    account = activation.user
    return render(
        request,
        "web/accounts/activate.html",
        {"account": account, "errors": errors, "username": account.get_username()},
    )
