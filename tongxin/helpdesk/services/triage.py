"""Suggesting a request's priority, category and emergency flag from its words.

The rules are data (KeywordRule, editable by the command post and duty staff); the duty staff
confirm or correct what is suggested. Each rule has a keyword and synonyms (how people actually
say it: 胸口疼, 喘不上气, 叫不醒 …); a term may hold "*" for up to eight other characters within
one sentence ("胸口*疼" matches "胸口有点疼"). Text and terms are compared after width folding
(NFKC), lower-casing and dropping spaces.

The suggestion errs towards urgent: the most urgent matching rule wins, nothing lowers it, and
two different "较急" signals together (an elderly person living alone, and a fever) make it
"紧急" — the duty staff can always lower it, never find out too late that it was high.
"""

import re
import unicodedata
from dataclasses import dataclass, field
from functools import lru_cache

from tongxin.care.services.profile import NO_TEST_REQUIRED_NOTICE
from tongxin.helpdesk.models import PRIORITY_RANK, Category, KeywordRule, Priority, higher

# The national rule for emergencies, shown with every emergency request to every team.
EMERGENCY_RULE = NO_TEST_REQUIRED_NOTICE
EMERGENCY_CATEGORIES = {Category.EMERGENCY}


@dataclass
class Suggestion:
    priority: str = Priority.NORMAL
    category: str = ""
    emergency: bool = False
    keywords: list[str] = field(default_factory=list)


# Two different rules of this priority together suggest the next one up.
COMBINED_HIGH = 2
# What a "*" in a term may stand for: up to eight characters of the same sentence.
GAP = r"[^。！？!?；;\n]{0,8}"


def active_rules() -> list[KeywordRule]:
    return list(KeywordRule.objects.filter(is_active=True).order_by("keyword"))


def normalize(text: str) -> str:
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", text or "")).lower()


@lru_cache(maxsize=2048)
def _compiled(term: str) -> re.Pattern[str]:
    parts = [re.escape(p) for p in normalize(term).split("*") if p]
    return re.compile(GAP.join(parts) if parts else r"(?!)")


def matches(rule: KeywordRule, text: str) -> bool:
    """Whether the (normalized) text says what the rule's keyword or a synonym says."""
    return any(_compiled(term).search(text) for term in rule.terms())


def suggest(
    text: str,
    *,
    category: str = "",
    stated: str = "",
    special_population: bool = False,
    rules: list[KeywordRule] | None = None,
) -> Suggestion:
    """What the rules make of a request: the most urgent matching rule's priority, the first
    matching rule's category (unless one was given), and the emergency flag."""
    result = Suggestion(priority=Priority.NORMAL)
    said = normalize(text)
    matched = [r for r in (active_rules() if rules is None else rules) if matches(r, said)]
    # An emergency rule's category wins over a merely urgent one's (胸痛 over 透析).
    matched.sort(key=lambda r: (not r.marks_emergency, PRIORITY_RANK.get(r.priority, 9), r.keyword))
    for rule in matched:
        result.keywords.append(rule.keyword)
        result.priority = higher(rule.priority, result.priority)
        if rule.category and not result.category:
            result.category = rule.category
        result.emergency = result.emergency or rule.marks_emergency
    if sum(1 for r in matched if r.priority == Priority.HIGH) >= COMBINED_HIGH:
        result.priority = higher(Priority.URGENT, result.priority)
    if stated in Priority.values:
        result.priority = higher(stated, result.priority)
    if special_population:
        result.priority = higher(Priority.HIGH, result.priority)
    if category in Category.values:
        result.category = category
    if result.category in EMERGENCY_CATEGORIES:
        result.emergency = True
        result.priority = Priority.URGENT
    if result.emergency:
        result.priority = Priority.URGENT
    result.category = result.category or Category.OTHER
    return result
