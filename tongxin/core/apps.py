from typing import Any

from django.apps import AppConfig, apps
from django.db.models.signals import post_migrate


def _create_cache_tables(using: str = "default", **_kwargs: Any) -> None:
    """The shared cache's table (TONGXIN_CACHE_URL=db://…) is made with the schema: a plain
    `tongxin migrate` leaves nothing to remember. Idempotent; other cache backends need none."""
    from django.core.management import call_command

    call_command("createcachetable", database=using, verbosity=0)


class CoreConfig(AppConfig):
    name = "tongxin.core"
    label = "core"
    verbose_name = "Tongxin core"

    def ready(self) -> None:
        from tongxin.core import checks  # noqa: F401  (registers the deploy checks)

        # Core has no models, so no post_migrate of its own: hang it on an app that always has.
        post_migrate.connect(
            _create_cache_tables,
            sender=apps.get_app_config("contenttypes"),
            dispatch_uid="core-cache-tables",
        )
