"""Changes to audited models (places, units, staff, residents) are recorded wherever they
happen: services, the admin, the shell. Bulk writes (imports) record their own events."""

from typing import Any

from django.db import models
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from tongxin.audit.models import AuditAction
from tongxin.audit.services import record


class AuditedModel(models.Model):
    """Remembers the values it was loaded with so a save can record what changed.

    AUDIT_EXCLUDE: fields never recorded (timestamps, derived search keys).
    AUDIT_SECRET: field -> the masked field recorded in its place (never the raw value).
    """

    AUDIT_EXCLUDE: tuple[str, ...] = ()
    _audit_loaded: dict[str, Any]
    AUDIT_SECRET: dict[str, str] = {}

    class Meta:
        abstract = True

    @classmethod
    def from_db(cls, db: Any, field_names: Any, values: Any) -> Any:
        instance = super().from_db(db, field_names, values)
        instance._audit_loaded = instance.audit_snapshot()
        return instance

    def audit_snapshot(self) -> dict[str, Any]:
        snap: dict[str, Any] = {}
        deferred = self.get_deferred_fields()
        for f in self._meta.concrete_fields:
            if f.attname in deferred or f.name in self.AUDIT_EXCLUDE or f.primary_key:
                continue
            if f.name in self.AUDIT_SECRET:
                snap[f.name] = getattr(self, self.AUDIT_SECRET[f.name], "")
                continue
            if f.name in self.AUDIT_SECRET.values():
                continue
            value = getattr(self, f.attname)
            snap[f.name] = (
                value if isinstance(value, (int, float, bool, type(None))) else str(value)
            )
        return snap

    def audit_changes(self) -> dict[str, list[Any]]:
        before = getattr(self, "_audit_loaded", {})
        after = self.audit_snapshot()
        return {k: [before.get(k), v] for k, v in after.items() if k in before and before[k] != v}


@receiver(post_save)
def _record_save(sender: type, instance: Any, created: bool, raw: bool, **kwargs: Any) -> None:
    if raw or not isinstance(instance, AuditedModel):
        return
    if created:
        record(AuditAction.CREATE, instance, changes=instance.audit_snapshot())
    else:
        changes = instance.audit_changes()
        if changes:
            record(AuditAction.UPDATE, instance, changes=changes)
    instance._audit_loaded = instance.audit_snapshot()


@receiver(post_delete)
def _record_delete(sender: type, instance: Any, **kwargs: Any) -> None:
    if isinstance(instance, AuditedModel):
        record(AuditAction.DELETE, instance)
