"""The seeded triage rules read real-style requests the way the duty staff would: every phrasing
in tests/data/triage_corpus.tsv (at least 100, kept in the repository) gets its expected
priority, urgent ones are never suggested lower, and emergencies are flagged."""

from pathlib import Path

import pytest

from tongxin.helpdesk.models import KeywordRule
from tongxin.helpdesk.services import suggest
from tongxin.helpdesk.services.triage import active_rules

pytestmark = pytest.mark.django_db

CORPUS = Path(__file__).parent / "data" / "triage_corpus.tsv"


def corpus() -> list[tuple[str, str, str]]:
    rows = []
    for line in CORPUS.read_text(encoding="utf-8").splitlines():
        if line.strip() and not line.startswith("#"):
            priority, emergency, text = line.split("\t")
            rows.append((priority, emergency, text))
    return rows


def test_the_corpus_is_large_and_covers_every_priority() -> None:
    rows = corpus()
    assert len(rows) >= 100
    assert {p for p, _e, _t in rows} == {"urgent", "high", "normal"}
    assert sum(1 for p, _e, _t in rows if p == "urgent") >= 50


def test_the_seeded_rules_read_every_phrasing_as_expected() -> None:
    rules = active_rules()
    wrong = []
    for priority, emergency, text in corpus():
        got = suggest(text, rules=rules)
        if got.priority != priority or (emergency != "-" and got.emergency != (emergency == "1")):
            wrong.append(f"{text}: {got.priority}/{got.emergency}, expected {priority}/{emergency}")
    assert not wrong, "\n".join(wrong)


def test_the_issue_example_is_an_emergency() -> None:
    got = suggest("老人胸口疼，喘不上气，需要马上去医院")
    assert (got.priority, got.category, got.emergency) == ("urgent", "emergency", True)
    assert {"胸痛", "呼吸困难"} <= set(got.keywords)


def test_synonyms_and_patterns_are_editable_data() -> None:
    assert suggest("邻居说他心里堵得慌").priority == "normal"
    KeywordRule.objects.create(
        keyword="心里堵", synonyms="心里*堵得慌\n堵得*喘", priority="high", category="mental"
    )
    got = suggest("邻居说他心里很堵得慌")
    assert (got.priority, got.category, got.keywords) == ("high", "mental", ["心里堵"])
    # A pattern stays within one sentence.
    assert suggest("心里很平静。昨天堵得慌").priority == "normal"


def test_full_width_and_spaces_do_not_hide_a_phrase() -> None:
    assert suggest("老人 喘 不 上 气").priority == "urgent"
    assert suggest("发烧到４０度").priority == "urgent"


def test_two_different_high_signals_together_are_urgent() -> None:
    assert suggest("独居老人").priority == "high"
    assert suggest("降压药吃完了").priority == "high"
    assert suggest("独居老人，降压药吃完了").priority == "urgent"
