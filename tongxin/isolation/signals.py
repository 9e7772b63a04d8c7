"""What the isolation app listens to.

- sampling's positive single tubes (`PositivePerson` saved): a positive in isolation flags the
  room's floor for the investigators and tells them (隔离点筛查).
"""

from typing import Any

from django.db.models.signals import post_save
from django.utils import timezone


def positive_found(sender: Any, instance: Any, created: bool, **kwargs: Any) -> None:
    if not created:
        return
    from tongxin.isolation.services.positives import positive_in_isolation

    positive_in_isolation(instance.person_id, instance.found_at or timezone.now())


def connect() -> None:
    from tongxin.sampling.models import PositivePerson

    post_save.connect(positive_found, sender=PositivePerson, dispatch_uid="isolation-positive")
