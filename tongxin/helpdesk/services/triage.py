"""Suggesting a request's priority, category and emergency flag from its words.

The rules are data (KeywordRule, editable by the command post and duty staff); the duty staff
confirm or correct what is suggested.
"""

from dataclasses import dataclass, field

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


def active_rules() -> list[KeywordRule]:
    return list(KeywordRule.objects.filter(is_active=True).order_by("keyword"))


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
    matched = [r for r in (active_rules() if rules is None else rules) if r.keyword in text]
    # An emergency rule's category wins over a merely urgent one's (胸痛 over 透析).
    matched.sort(key=lambda r: (not r.marks_emergency, PRIORITY_RANK.get(r.priority, 9), r.keyword))
    for rule in matched:
        result.keywords.append(rule.keyword)
        result.priority = higher(rule.priority, result.priority)
        if rule.category and not result.category:
            result.category = rule.category
        result.emergency = result.emergency or rule.marks_emergency
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
