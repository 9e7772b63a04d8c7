from tongxin.workforce.tests.conftest import CN, START, Town, chief, incident, local, np8, town

__all__ = ["CN", "START", "Town", "chief", "incident", "local", "np8", "town"]
