from typing import Any

from django.http import HttpRequest

from tongxin.accounts.permissions import perms_of


def navigation(request: HttpRequest) -> dict[str, Any]:
    user = getattr(request, "user", None)
    extra: dict[str, Any] = {}
    if request.path == "/accounts/login/":
        # No first-run page: the county is set up on the server (README, production section).
        from tongxin.places.models import Place
        from tongxin.places.services import no_county_message

        if not Place.objects.filter(depth=1).exists():
            extra["tx_setup_hint"] = no_county_message()
        # Back from an activation link: say so, and fill in the user name.
        extra["tx_activated"] = request.GET.get("activated") == "1"
        extra["tx_login_username"] = request.GET.get("username", "")[:150]
    return {
        **extra,
        "tx_perms": perms_of(user) if user is not None else set(),
        # The first path segment names the section the navigation bar marks as current.
        "tx_section": request.path.strip("/").split("/", 1)[0],
    }
