"""Template helpers for the pages."""

from django import template
from django.utils.translation import gettext_lazy

from tongxin.core.masking import mask_in_text

register = template.Library()

# Who did something, as recorded (audit.context labels a request without a login "anonymous",
# a command or job "system"): shown in the reader's language.
ACTOR_LABELS = {
    "anonymous": gettext_lazy("公众（未登录）"),
    "system": gettext_lazy("系统"),
    "demo": gettext_lazy("演示数据"),
}


@register.filter
def actor(value: object) -> str:
    label = str(value or "")
    return str(ACTOR_LABELS.get(label, label))


@register.filter
def scrub(value: object) -> str:
    """Mask anything in free text that looks like an ID number or a phone number.

    Import previews and problem reports echo spreadsheet cells; a page must never show them
    in clear even though the uploader has the file.
    """
    if value is None:
        return ""
    return mask_in_text(str(value))


@register.filter
def indent_by_depth(place: object) -> str:
    """Full-width spaces that show a place's level in a plain <select>."""
    depth = getattr(place, "depth", 1) or 1
    return "\u3000" * (depth - 1)


@register.filter
def change_text(value: object) -> str:
    """An audit change: [before, after] reads "before → after"; a created value reads as is."""
    if isinstance(value, list | tuple) and len(value) == 2:
        before, after = ("—" if v in (None, "") else v for v in value)
        return scrub(f"{before} → {after}")
    return scrub("—" if value in (None, "") else value)
