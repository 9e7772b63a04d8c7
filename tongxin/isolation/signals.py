"""What the isolation app listens to.

- sampling's positive single tubes (`PositivePerson` saved): a positive in isolation flags the
  room's floor for the investigators, tells them, and becomes a case (隔离点筛查) through
  tracing's service;
- tracing's `last_exposure_changed`: the listed person's end dates are recalculated.
"""

from typing import Any

from django.db.models.signals import post_save
from django.utils import timezone


def positive_found(sender: Any, instance: Any, created: bool, **kwargs: Any) -> None:
    if not created:
        return
    from tongxin.isolation.services.positives import positive_in_isolation

    flag = positive_in_isolation(instance.person_id, instance.found_at or timezone.now())
    if flag is not None:
        from tongxin.isolation.services.tracing_feed import case_from_isolation_positive

        case_from_isolation_positive(instance, flag.stay)


def connect() -> None:
    from tongxin.isolation.services.tracing_feed import on_last_exposure_changed
    from tongxin.sampling.models import PositivePerson
    from tongxin.tracing.signals import last_exposure_changed

    post_save.connect(positive_found, sender=PositivePerson, dispatch_uid="isolation-positive")
    last_exposure_changed.connect(on_last_exposure_changed, dispatch_uid="isolation-exposure")
