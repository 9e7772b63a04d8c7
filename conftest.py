from typing import Any

import pytest

# Shared fixtures: `chromium`, `phone` and `desktop` for the end-to-end journeys.
pytest_plugins = ["tongxin.core.testing.e2e"]


@pytest.fixture(autouse=True)
def _immediate_tasks_and_temp_media(settings: Any, tmp_path: Any) -> None:
    """Background tasks run inline in tests, and uploaded files go to a temporary folder."""
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.TONGXIN_SMS_FILE = str(tmp_path / "sms-outbox.jsonl")
    settings.LANGUAGE_CODE = "zh-hans"
    # Factories hash a password per user; the real hasher would dominate the suite's time.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    # The TOTP second factor is off unless configured (production turns it on); its own tests
    # (tongxin/security/tests/test_second_factor_*.py) turn it on. Pinned here so a developer's
    # environment with TONGXIN_OTP_REQUIRED=1 does not change the rest of the suite.
    settings.TONGXIN_OTP_REQUIRED = False
    # Coverage figures are shared for 30 s in production; tests read them as they are.
    settings.TONGXIN_COVERAGE_CACHE_SECONDS = 0
