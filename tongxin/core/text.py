"""Name search keys: pinyin and initials for Chinese names."""

import re
import unicodedata
from functools import lru_cache

from django.db.models import Choices
from pypinyin import Style, lazy_pinyin


@lru_cache(maxsize=100_000)
def pinyin_keys(name: str) -> tuple[str, str]:
    """('zhangsan', 'zs') for 张三; Latin names keep their letters."""
    syllables = [s for s in lazy_pinyin(name, style=Style.NORMAL, errors="default") if s.strip()]
    cleaned = [re.sub(r"[^a-z]", "", s.lower()) for s in syllables]
    cleaned = [s for s in cleaned if s]
    return "".join(cleaned), "".join(s[0] for s in cleaned)


def clean_text(value: object) -> str:
    """A spreadsheet cell as trimmed text: full-width to half-width, inner spaces folded."""
    if value is None:
        return ""
    text = re.sub(r"\s+", " ", unicodedata.normalize("NFKC", str(value))).strip()
    # Our own CSV exports guard formula-like text with an apostrophe (core.spreadsheets).
    if text.startswith("'") and text[1:2] in ("=", "+", "-", "@"):
        text = text[1:]
    return text


def choice_label(choices: type[Choices], value: object) -> str:
    """The label of one choice, as `get_FOO_display()` gives it, for code that labels many rows
    (audit labels of a bulk insert): Django's display method rebuilds a hashable copy of every
    choice (a translation per lazy label) on each call."""
    try:
        return str(choices(value).label)
    except ValueError:
        return str(value or "")
