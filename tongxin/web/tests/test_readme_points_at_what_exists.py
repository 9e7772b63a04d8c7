"""The README names only files that are in the repository, and tells a newcomer where the public
help page, the status check and the point page are, how to switch language, and which demo
login does which job."""

import re
from pathlib import Path

from django.urls import reverse

from tongxin.demo.county import LOGINS

ROOT = Path(__file__).resolve().parents[3]
README = (ROOT / "README.md").read_text(encoding="utf-8")


def test_every_file_it_names_exists() -> None:
    named = set(re.findall(r"`((?:tongxin|docs|bench|\.ci)/[\w./-]+)`", README))
    named |= set(re.findall(r"\b((?:docs|bench)/[\w-]+\.\w+)", README))
    assert named, "the README names files"
    missing = sorted(p for p in named if not (ROOT / p).exists())
    assert not missing, missing
    assert "brief" not in README.lower()


def test_it_documents_the_pages_people_look_for() -> None:
    assert f"`{reverse('help_public:ask')}`" in README
    assert f"`{reverse('help_public:status')}`" in README
    point = (
        reverse("sampling:point", args=[1, 2])
        .replace("/1/", "/<round>/")
        .replace("/2/", "/<point>/")
    )
    assert f"`{point}`" in README
    assert "English" in README and reverse("set_language") in README


def test_it_says_which_demo_login_does_which_job() -> None:
    for login in LOGINS:
        assert f"| `{login.role}` |" in README, login.role
