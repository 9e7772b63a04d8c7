"""What each module contributes to an incident beyond its own pages.

Two registries, filled by the apps in their `AppConfig.ready()`:

- figures: `provider(incident, *, area=None, at=None) -> dict` gives a module's figures for
  the incident, limited to the places under `area` (a `places.Place`, or the whole county)
  and as they stood at `at` (a datetime; now when None). The values are JSON-serializable
  (ints, strings, lists and dicts of them) and never hold personal data. The command picture
  and the daily report compose them, so a module that is absent simply has no section.
- purge: `handler(incident, *, dry_run) -> dict[str, int]` removes or irreversibly
  anonymises the personal data the module collected for a closed incident whose retention
  has run out, and returns the count per kind of record (what it would do under dry_run).
  It must be safe to run again and work in bounded transactions.

Lower apps register here too; this module imports nothing above `incidents`.
"""

import datetime as dt
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, Protocol

if TYPE_CHECKING:
    from tongxin.incidents.models import Incident
    from tongxin.places.models import Place


class FiguresProvider(Protocol):
    def __call__(
        self, incident: "Incident", *, area: "Place | None" = None, at: dt.datetime | None = None
    ) -> dict[str, Any]: ...


class PurgeHandler(Protocol):
    def __call__(self, incident: "Incident", *, dry_run: bool) -> dict[str, int]: ...


_figures: dict[str, FiguresProvider] = {}
_purgers: dict[str, PurgeHandler] = {}


def _register(registry: dict[str, Any], module: str, fn: Callable[..., Any]) -> None:
    existing = registry.get(module)
    if existing is not None and existing is not fn:
        raise ValueError(f"{module!r} is registered twice")
    registry[module] = fn


def register_figures(module: str, provider: FiguresProvider) -> None:
    """Register the module's figures (module is its app label, e.g. "tracing")."""
    _register(_figures, module, provider)


def register_purge(module: str, handler: PurgeHandler) -> None:
    """Register the module's purge of an incident's personal data (module = its app label)."""
    _register(_purgers, module, handler)


def figures_providers() -> dict[str, FiguresProvider]:
    return dict(_figures)


def purge_handlers() -> dict[str, PurgeHandler]:
    return dict(_purgers)


# --- tests expected of people outside the rounds ---------------------------------------------


class ExpectedTestsProvider(Protocol):
    def __call__(
        self, incident: "Incident", *, area: "Place", on: dt.date, user: Any
    ) -> list[dict[str, Any]]: ...


_expected_tests: dict[str, ExpectedTestsProvider] = {}


def register_expected_tests(module: str, provider: ExpectedTestsProvider) -> None:
    """Register who a module expects to be tested on a day, beyond the mass-testing rounds
    (tracing: contacts on their management's test days). The provider answers, for the people
    under `area` the user may see, dicts with person_id, name, document_masked, household_id,
    household, reason (what the grid is told: never who the case is), done (sampled that day)
    and missed (earlier test days passed without a sample). Coverage pages show them."""
    _register(_expected_tests, module, provider)


def expected_tests_providers() -> dict[str, ExpectedTestsProvider]:
    return dict(_expected_tests)


# --- standing rules: personal data not tied to an incident ---------------------------------


class StandingPurgeHandler(Protocol):
    def __call__(self, *, dry_run: bool, today: dt.date) -> dict[str, int]: ...


_standing: dict[str, StandingPurgeHandler] = {}


def register_standing_purge(module: str, handler: StandingPurgeHandler) -> None:
    """Register a module's own retention rule for personal data kept outside any incident
    (the care registry: reviewed yearly, removed when the need ends). The daily purge runs it
    and the dry run shows its counts."""
    _register(_standing, module, handler)


def standing_purge_handlers() -> dict[str, StandingPurgeHandler]:
    return dict(_standing)
