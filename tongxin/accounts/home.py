"""What a role's home page shows: one panel per module and role, filled by the apps.

An app registers its panels in `AppConfig.ready()`:

    register_home_panel("helpdesk_queue", roles={Role.HELPDESK}, order=10,
                        template="helpdesk/home/queue.html", provider=queue_panel)

`provider(user) -> dict | None` gives the panel's context (None: nothing to show for this
user, e.g. no open round). The home page renders every panel registered for the user's role, in
`order`, each with its own template, so a module that is absent (tracing, isolation …) simply
has no panel and a new one adds its own without touching the home page. A provider that fails
is logged and left out: the home page never breaks because one module does.

This module imports nothing above `accounts`.
"""

import logging
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

log = logging.getLogger(__name__)

Provider = Callable[[Any], dict[str, Any] | None]


@dataclass(frozen=True)
class HomePanel:
    key: str
    roles: frozenset[str]
    template: str
    provider: Provider
    order: int = 100


@dataclass(frozen=True)
class FilledPanel:
    panel: HomePanel
    context: dict[str, Any]

    @property
    def key(self) -> str:
        return self.panel.key

    @property
    def template(self) -> str:
        return self.panel.template


_panels: dict[str, HomePanel] = {}


def register_home_panel(
    key: str, *, roles: Iterable[str], template: str, provider: Provider, order: int = 100
) -> None:
    panel = HomePanel(key, frozenset(str(r) for r in roles), template, provider, order)
    existing = _panels.get(key)
    if existing is not None and existing.provider is not provider:
        raise ValueError(f"home panel {key!r} is registered twice")
    _panels[key] = panel


def registered_panels() -> list[HomePanel]:
    return sorted(_panels.values(), key=lambda p: (p.order, p.key))


def panels_for(user: Any) -> list[FilledPanel]:
    """The panels of the user's role that have something to show, in order."""
    role = str(getattr(user, "role", "") or "")
    filled = []
    for panel in registered_panels():
        if role not in panel.roles:
            continue
        try:
            context = panel.provider(user)
        except Exception:
            log.exception("home panel %s failed", panel.key)
            continue
        if context is not None:
            filled.append(FilledPanel(panel, context))
    return filled
