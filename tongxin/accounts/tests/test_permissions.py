import pytest

from tongxin.accounts.models import Role
from tongxin.accounts.permissions import Perm, has_perm
from tongxin.factories import UserFactory

pytestmark = pytest.mark.django_db


def test_grid_staff_may_reveal_but_not_export() -> None:
    staff = UserFactory(role=Role.GRID_STAFF)
    assert has_perm(staff, Perm.REVEAL_PERSONAL)
    assert not has_perm(staff, Perm.EXPORT_RESIDENTS)


def test_only_command_post_exports_unmasked() -> None:
    assert has_perm(UserFactory(role=Role.COMMAND_POST), Perm.EXPORT_UNMASKED)
    assert not has_perm(UserFactory(role=Role.UNIT_LEADER), Perm.EXPORT_UNMASKED)


def test_inactive_users_may_do_nothing() -> None:
    chief = UserFactory(role=Role.COMMAND_POST, is_active=False)
    assert not has_perm(chief, Perm.VIEW_PLACES)


def test_audit_trail_is_for_command_post_and_administrators() -> None:
    assert has_perm(UserFactory(role=Role.SYSADMIN), Perm.VIEW_AUDIT)
    assert not has_perm(UserFactory(role=Role.HELPDESK), Perm.VIEW_AUDIT)
