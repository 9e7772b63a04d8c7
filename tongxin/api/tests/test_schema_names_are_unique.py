"""Two API schemas with one class name share one OpenAPI component, so one endpoint would be
documented (and validated by clients) with the other's shape: every name is used once."""

from collections import Counter

from ninja import Schema

from tongxin.api.api import api


def _schemas(cls: type) -> list[type]:
    found = []
    for sub in cls.__subclasses__():
        if sub.__module__.startswith("tongxin."):
            found.append(sub)
        found.extend(_schemas(sub))
    return found


def test_no_two_api_schemas_share_a_name() -> None:
    api.get_openapi_schema()  # every router imported
    names = Counter(cls.__name__ for cls in set(_schemas(Schema)))
    assert [name for name, n in names.items() if n > 1] == []
