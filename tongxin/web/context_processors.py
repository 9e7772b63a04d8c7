from typing import Any

from django.http import HttpRequest

from tongxin.accounts.permissions import perms_of


def navigation(request: HttpRequest) -> dict[str, Any]:
    user = getattr(request, "user", None)
    return {
        "tx_perms": perms_of(user) if user is not None else set(),
        # The first path segment names the section the navigation bar marks as current.
        "tx_section": request.path.strip("/").split("/", 1)[0],
    }
