"""One demo login per role, each able to log in with the printed password."""

from typing import Any

from django.test import Client

from tongxin.accounts.models import Role, User
from tongxin.demo.county import DEMO_PASSWORD


def test_one_login_per_role_printed_with_its_password(demo: Any) -> None:
    for role in Role:
        user = User.objects.get(username=role.value)
        assert user.role == role
        assert user.unit is not None
        line = next(line for line in demo.splitlines() if line.startswith(role.value + " "))
        assert str(role.label) in line
        assert user.unit.name in line
        assert DEMO_PASSWORD in line


def test_every_login_can_log_in_and_open_the_home_page(demo: Any) -> None:
    for role in Role:
        client = Client()
        assert client.login(username=role.value, password=DEMO_PASSWORD), role
        assert client.get("/").status_code == 200


def test_sysadmin_may_use_the_admin(demo: Any) -> None:
    admin = User.objects.get(username=Role.SYSADMIN)
    assert admin.is_staff and admin.is_superuser
    client = Client()
    client.force_login(admin)
    assert client.get("/admin/").status_code == 200


def test_cadres_without_a_demo_login_cannot_log_in(demo: Any) -> None:
    cadre = User.objects.get(username="slj02")
    assert not cadre.has_usable_password()
