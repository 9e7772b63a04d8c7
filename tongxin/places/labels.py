"""How spreadsheet labels for the same place are recognised as the same place.

3 / 3幢 / 3栋 / 3号楼 / 3号 are one building; 1 / 1单元 / 一单元 are one stairwell.
"""

import re

from tongxin.core.text import clean_text

_DIGITS = {"零": 0, "〇": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5,
           "六": 6, "七": 7, "八": 8, "九": 9}  # fmt: skip
_CN_NUMBER = re.compile(r"[零〇一二两三四五六七八九十百]+")


def chinese_to_int(text: str) -> int | None:
    """一 → 1, 十二 → 12, 二十 → 20, 一百零五 → 105; None when it is not a plain numeral."""
    if not text or not _CN_NUMBER.fullmatch(text):
        return None
    total, current = 0, 0
    for ch in text:
        if ch in _DIGITS:
            current = _DIGITS[ch]
        elif ch == "十":
            total += (current or 1) * 10
            current = 0
        elif ch == "百":
            total += (current or 1) * 100
            current = 0
    return total + current


def _numeric_key(core: str) -> str:
    core = core.strip().upper()
    converted = chinese_to_int(core)
    if converted is not None:
        return str(converted)
    if core.isdigit():
        return str(int(core))
    return core


def _strip_suffix(label: str, suffixes: tuple[str, ...]) -> tuple[str, str]:
    for suffix in suffixes:
        if label.endswith(suffix) and len(label) > len(suffix):
            return label[: -len(suffix)], suffix
    return label, ""


def _number_text(value: object) -> str:
    """Excel gives 3.0 for a building typed as 3."""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return clean_text(value)


def name_key(value: object) -> str:
    """Townships, communities and estates: the name without spaces."""
    return clean_text(value).replace(" ", "")


def building_label(value: object) -> tuple[str, str]:
    """(key, display name) of a building or village group."""
    label = _number_text(value).replace(" ", "")
    core, suffix = _strip_suffix(label, ("号楼", "幢", "栋", "號", "号", "组", "座", "楼"))
    core = core.removeprefix("第")
    key = _numeric_key(core)
    if suffix == "组":
        return key, f"{key}组"
    return key, (f"{key}幢" if key.isdigit() else label)


def stairwell_label(value: object) -> tuple[str, str]:
    label = _number_text(value).replace(" ", "")
    core, _suffix = _strip_suffix(label, ("单元", "楼道", "号"))
    key = _numeric_key(core.removeprefix("第"))
    return key, (f"{key}单元" if key.isdigit() else label)


def room_label(value: object) -> tuple[str, str]:
    label = _number_text(value).replace(" ", "")
    core, suffix = _strip_suffix(label, ("室", "号", "户"))
    key = core.upper()
    if key.isdigit():
        key = str(int(key))
    display = f"{core}{suffix or '室'}" if core.isdigit() else label
    return key, display
