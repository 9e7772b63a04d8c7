"""Changes to audited models (places, units, staff, residents) are recorded wherever they
happen: services, the admin, the shell. Bulk writes (imports) record their own events."""

from operator import itemgetter
from typing import Any

from django.db import models
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from tongxin.audit.models import AuditAction
from tongxin.audit.services import record


class _LoadedSnapshot:
    """`_audit_loaded` of an object built by `tongxin.core.bulk.instances`: the snapshot of
    the row it was built from (kept as `_audit_row`), worked out the first time a save asks
    for it — most of the thousands such a bulk path builds are never saved."""

    def __get__(self, obj: Any, owner: Any = None) -> Any:
        if obj is None:
            return self
        built = obj.__dict__.get("_audit_row")
        if built is None:
            raise AttributeError("_audit_loaded")
        snap = type(obj).audit_snapshot_of(*built)
        obj.__dict__["_audit_loaded"] = snap
        return snap


class AuditedModel(models.Model):
    """Remembers the values it was loaded with so a save can record what changed.

    AUDIT_EXCLUDE: fields never recorded (timestamps, derived search keys).
    AUDIT_SECRET: field -> the masked field recorded in its place (never the raw value).
    """

    AUDIT_EXCLUDE: tuple[str, ...] = ()
    _audit_loaded: dict[str, Any] = _LoadedSnapshot()  # type: ignore[assignment]
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

    @classmethod
    def audit_snapshot_of(cls, row: Any, attnames: tuple[str, ...] | None = None) -> dict[str, Any]:
        """`audit_snapshot()` of an object loaded with these values (`attnames`, in that
        order; every concrete field in field order by default, the others deferred), without
        the object: for `tongxin.core.bulk.instances`."""
        plans = cls.__dict__.get("_audit_plans")
        if plans is None:
            plans = {}
            cls._audit_plans = plans  # type: ignore[attr-defined]
        plan = plans.get(attnames)
        if plan is None:
            plan = plans[attnames] = cls._audit_plan(attnames)
        if plan is False:  # masked fields: through the object
            names = attnames or tuple(f.attname for f in cls._meta.concrete_fields)
            instance = cls.from_db(None, list(names), list(row))
            return instance._audit_loaded  # type: ignore[no-any-return]
        pick, keys, convert = plan
        snap = dict(zip(keys, pick(row), strict=True))
        for key in convert:
            value = snap[key]
            if not isinstance(value, (int, float, bool, type(None))):
                snap[key] = str(value)
        return snap

    @classmethod
    def _audit_plan(cls, attnames: tuple[str, ...] | None) -> Any:
        if cls.AUDIT_SECRET:
            return False
        fields = list(cls._meta.concrete_fields)
        position = {f.attname: i for i, f in enumerate(fields)}
        if attnames is not None:
            position = {name: i for i, name in enumerate(attnames)}
        kept = [
            f
            for f in fields
            if f.attname in position and not f.primary_key and f.name not in cls.AUDIT_EXCLUDE
        ]

        # Text and whole-number columns are kept as they are (what `audit_snapshot` does for
        # an int, and str() of a str is itself); the others go through its conversion.
        def as_is(f: Any) -> bool:
            target = f.target_field if isinstance(f, models.ForeignKey) else f
            plain = (models.CharField, models.TextField, models.IntegerField)
            return isinstance(target, plain) and not target.choices

        indexes = [position[f.attname] for f in kept]
        pick = (lambda row: (row[indexes[0]],)) if len(indexes) == 1 else itemgetter(*indexes)
        keys = tuple(f.name for f in kept)
        convert = tuple(f.name for f in kept if not as_is(f))
        return pick, keys, convert

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
