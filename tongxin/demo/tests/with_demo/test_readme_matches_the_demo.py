"""The README's demo figures are the ones the pages show (households do not scale with the test
scale; residents do, so those are checked at full scale by hand: see the README)."""

import re
from pathlib import Path

import pytest

from tongxin.places.models import Place, PlaceKind

README = Path(__file__).resolve().parents[4] / "README.md"

pytestmark = pytest.mark.django_db


def _households(estate: str) -> int:
    place = Place.objects.get(kind=PlaceKind.ESTATE, name=estate)
    return Place.objects.filter(path__startswith=place.path, kind=PlaceKind.HOUSEHOLD).count()


def test_the_readme_counts_the_households_the_tree_shows(demo: str) -> None:
    text = " ".join(README.read_text(encoding="utf-8").split())
    big = re.search(r"城东嘉苑, an estate of (\d+) buildings and ([\d,]+) households", text)
    small = re.search(r"锦绣花园, (\d+) buildings, (\d+) stairwells, ([\d,]+) households", text)
    assert big and small
    assert int(big[2].replace(",", "")) == _households("城东嘉苑")
    assert int(small[3].replace(",", "")) == _households("锦绣花园")
    estate = Place.objects.get(kind=PlaceKind.ESTATE, name="城东嘉苑")
    buildings = Place.objects.filter(path__startswith=estate.path, kind=PlaceKind.BUILDING)
    assert int(big[1]) == buildings.count()
