"""Test helpers shared by every app's tests (loaded as a pytest plugin by the root conftest)."""
