"""The demo will not mix itself into a database holding a real county's data."""

from typing import Any

import pytest
from django.core.management.base import CommandError

from tongxin.accounts.models import User
from tongxin.demo.tests.conftest import load_demo
from tongxin.factories import PersonFactory, UnitFactory, UserFactory, household
from tongxin.places.models import Place


def test_refuses_a_database_with_another_county(db: Any) -> None:
    PersonFactory(household=household("阳光小区"))
    with pytest.raises(CommandError, match="开化县"):
        load_demo()
    with pytest.raises(CommandError, match="开化县"):
        load_demo("--force")  # two counties cannot share one tree
    assert not Place.objects.filter(name="同心县").exists()


def test_refuses_other_units_or_users_unless_forced(db: Any) -> None:
    UnitFactory(name="某真实单位")
    UserFactory(username="admin")
    with pytest.raises(CommandError, match="某真实单位") as refused:
        load_demo()
    assert "admin" in str(refused.value)
    assert not Place.objects.exists()

    load_demo("--force")
    assert Place.objects.filter(name="同心县", depth=1).exists()
    assert User.objects.filter(username="admin").exists()


def test_refuses_before_migrations(db: Any, monkeypatch: Any) -> None:
    from django.db.migrations.executor import MigrationExecutor

    monkeypatch.setattr(MigrationExecutor, "migration_plan", lambda self, targets: ["pending"])
    with pytest.raises(CommandError, match="migrate"):
        load_demo()
