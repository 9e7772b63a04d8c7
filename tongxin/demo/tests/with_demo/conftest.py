"""The demo county is built once for every test in this folder.

It is loaded inside a transaction that is rolled back when the folder's tests are done, and
each test runs in its own savepoint within it, so the tests cannot disturb each other and
other apps' tests never see the demo."""

from collections.abc import Iterator
from typing import Any

import pytest
from django.db import transaction
from django.test import override_settings

from tongxin.demo.tests.conftest import load_demo


@pytest.fixture(scope="package")
def demo_output(django_db_setup: Any, django_db_blocker: Any) -> Iterator[str]:
    # A fast hasher: ten logins with the real one would be most of these tests' time.
    fast = override_settings(PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"])
    with fast, django_db_blocker.unblock(), transaction.atomic():
        output = load_demo()
        yield output
        transaction.set_rollback(True)


@pytest.fixture
def demo(demo_output: str, db: Any) -> str:
    """The loaded demo county; the output of loading it."""
    return demo_output
