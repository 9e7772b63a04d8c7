"""Signals tracing sends for the apps above it (isolation listens to these).

`last_exposure_changed(sender=Management, management_id=int, last_exposure=datetime)`: a newly
confirmed source moved a person's last exposure, so the end of their management moved too.
"""

from django.dispatch import Signal

last_exposure_changed = Signal()
