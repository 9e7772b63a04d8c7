"""`tongxin migrate` makes the shared cache's table: a new install caches coverage for every
worker without a separate `createcachetable` step."""

import pytest
from django.core.cache import caches
from django.core.management import call_command
from django.db import connection


@pytest.mark.django_db(transaction=True)
def test_migrate_creates_the_database_cache_table(settings):
    table = settings.CACHES["shared"].get("LOCATION")
    if settings.CACHES["shared"]["BACKEND"] != "django.core.cache.backends.db.DatabaseCache":
        pytest.skip("the shared cache is not the database here")
    with connection.cursor() as cursor:
        cursor.execute(f"DROP TABLE IF EXISTS {connection.ops.quote_name(table)}")
    assert table not in connection.introspection.table_names()

    call_command("migrate", verbosity=0)

    assert table in connection.introspection.table_names()
    caches["shared"].set("probe", 41)
    assert caches["shared"].get("probe") == 41
