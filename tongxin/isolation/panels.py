"""The isolation sites a user samples in, on their home page: site staff and samplers stationed
there find the site's sampling page without knowing its address (the command post, who may
sample anywhere, has the board instead)."""

from typing import Any

from tongxin.accounts.home import register_home_panel
from tongxin.accounts.jurisdiction import jurisdiction_of
from tongxin.accounts.models import Role


def sampling_panel(user: Any) -> dict[str, Any] | None:
    from tongxin.isolation.services.insite import sampling_sites

    if jurisdiction_of(user).everywhere and user.role == Role.COMMAND_POST:
        return None
    sites = list(sampling_sites(user).order_by("name")[:10])
    return {"sites": sites} if sites else None


def register() -> None:
    register_home_panel(
        "isolation_sampling", roles={Role.TRANSFER, Role.TEST_POINT, Role.MEMBER}, order=25,
        template="isolation/home/sampling.html", provider=sampling_panel,
    )  # fmt: skip
