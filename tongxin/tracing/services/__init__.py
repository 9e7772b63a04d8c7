"""Tracing's business rules. The isolation module relies on this interface:

- `contacts_due_for_isolation(incident) -> list[DueForIsolation]`
- `mark_isolated(management_id, at)`
- the signal `tongxin.tracing.signals.last_exposure_changed(sender, management_id, last_exposure)`
"""

from tongxin.tracing.services.management import (
    DueForIsolation,
    TracingError,
    confirm_contacts,
    contacts_due_for_isolation,
    mark_isolated,
    recompute,
)

__all__ = [
    "DueForIsolation",
    "TracingError",
    "confirm_contacts",
    "contacts_due_for_isolation",
    "mark_isolated",
    "recompute",
]
