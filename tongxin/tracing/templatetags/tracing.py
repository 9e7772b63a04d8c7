from typing import Any

from django import template

register = template.Library()


@register.filter
def cell(table: Any, key: str) -> Any:
    """table|cell:key — a value of a dict by a variable key (0 when absent)."""
    if isinstance(table, dict):
        return table.get(key, 0)
    return 0
