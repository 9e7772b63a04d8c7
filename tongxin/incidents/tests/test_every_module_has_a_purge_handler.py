"""Deletion covers every module by construction: a model that keeps personal data tied to an
incident (a link to a resident, an encrypted field, a masked form) in an app without a
registered purge handler fails here, so a new module cannot forget its own."""

from django.apps import apps
from django.db import models

from tongxin.core.fields import EncryptedTextField
from tongxin.incidents.models import Incident
from tongxin.incidents.registry import purge_handlers
from tongxin.people.models import Person

# Apps whose data is not the incident's: the permanent registries and staff accounts.
NOT_INCIDENT_DATA = {"people", "accounts", "audit", "incidents", "places", "units"}
MAX_HOPS = 3


def _reaches_incident(
    model: type[models.Model], hops: int = 0, seen: frozenset = frozenset()
) -> bool:
    if model is Incident:
        return True
    if hops >= MAX_HOPS or model in seen:
        return False
    for f in model._meta.get_fields():
        if f.concrete and (f.many_to_one or f.one_to_one) and f.related_model is not None:
            target = f.related_model
            if target is Incident or _reaches_incident(target, hops + 1, seen | {model}):
                return True
    return False


def _personal(model: type[models.Model]) -> list[str]:
    found = []
    for f in model._meta.get_fields():
        if not f.concrete:
            continue
        if (
            isinstance(f, EncryptedTextField)
            or f.name.endswith("_masked")
            or ((f.many_to_one or f.one_to_one) and f.related_model is Person)
        ):
            found.append(f.name)
    return found


def holders() -> dict[str, list[str]]:
    found: dict[str, list[str]] = {}
    for model in apps.get_models():
        label = model._meta.app_label
        if label in NOT_INCIDENT_DATA or not label or model.__module__.startswith("django"):
            continue
        fields = _personal(model)
        if fields and _reaches_incident(model):
            found.setdefault(label, []).append(f"{model.__name__}({', '.join(fields)})")
    return found


def test_every_app_keeping_personal_data_for_an_incident_registers_a_purge_handler() -> None:
    found = holders()
    # The check sees the modules we know keep such data (it is not vacuous).
    assert {"sampling", "helpdesk", "care", "notifications"} <= set(found)
    missing = {label: models for label, models in found.items() if label not in purge_handlers()}
    assert missing == {}, (
        f"apps keeping personal data for an incident without a purge handler: {missing}"
    )


def test_an_unregistered_app_would_be_caught() -> None:
    handlers = purge_handlers()
    assert "sampling" in handlers
    found = holders()
    without = {label for label in found if label not in (set(handlers) - {"sampling"})}
    assert without == {"sampling"}


def test_handlers_run_higher_apps_first() -> None:
    from tongxin.incidents.retention import handler_order

    order = handler_order(list(purge_handlers()))
    # helpdesk and care sit above sampling in INSTALLED_APPS; notifications below them all.
    assert order.index("care") < order.index("sampling") < order.index("notifications")
    assert handler_order(["sampling", "tracing"])[0] == "tracing"  # unknown (new) apps first
