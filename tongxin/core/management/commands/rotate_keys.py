"""Re-encrypt personal data under the first configured key and recompute the lookup index.

Rotation: put the new key first in TONGXIN_FIELD_KEYS / TONGXIN_BLIND_INDEX_KEYS, keep the
old ones after it, run this, then remove the old keys.
"""

from typing import Any

from django.apps import apps
from django.core.management.base import BaseCommand
from django.db import transaction

from tongxin.core.fields import EncryptedTextField


def rotate_model(model: Any, batch_size: int = 1000) -> int:
    encrypted = [f.name for f in model._meta.concrete_fields if isinstance(f, EncryptedTextField)]
    if not encrypted:
        return 0
    derive = hasattr(model, "derive_lookup_fields")
    derived = [
        f.name
        for f in model._meta.concrete_fields
        if f.name.endswith(("_bidx", "_masked", "_last4"))
    ]
    done = 0
    pks = list(model._default_manager.order_by("pk").values_list("pk", flat=True))
    for start in range(0, len(pks), batch_size):
        chunk = pks[start : start + batch_size]
        with transaction.atomic():
            # Loading decrypts with whichever key fits; bulk_update encrypts with the first.
            objs = list(model._default_manager.filter(pk__in=chunk).select_for_update())
            for obj in objs:
                if derive:
                    obj.derive_lookup_fields()
            model._default_manager.bulk_update(objs, encrypted + (derived if derive else []))
        done += len(chunk)
    return done


class Command(BaseCommand):
    help = "Re-encrypt personal data with the current keys (after adding a new key first)."

    def handle(self, *args: Any, **options: Any) -> None:
        for model in apps.get_models():
            count = rotate_model(model)
            if count:
                self.stdout.write(f"{model._meta.label}: {count}")
        self.stdout.write(self.style.SUCCESS("rotation complete"))
