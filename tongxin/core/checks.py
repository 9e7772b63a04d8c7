from typing import Any

from django.conf import settings
from django.core.checks import Error, Tags, register


@register(Tags.security, deploy=True)
def keys_are_configured(app_configs: Any, **kwargs: Any) -> list[Error]:
    """A production install must not run on keys generated into its data dir."""
    return [
        Error(
            f"{name} is not set in the environment; this install is using a generated "
            "development key.",
            hint=f"Set {name} (see README, 'Configuration').",
            id="tongxin.E001",
        )
        for name in settings.TONGXIN_GENERATED_KEYS
    ]


@register(Tags.database, deploy=True)
def production_database(app_configs: Any, **kwargs: Any) -> list[Error]:
    if settings.DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
        return [
            Error(
                "TONGXIN_DATABASE_URL is not set: production runs on PostgreSQL.",
                hint="Set TONGXIN_DATABASE_URL=postgres://user@host/dbname.",
                id="tongxin.E002",
            )
        ]
    return []
