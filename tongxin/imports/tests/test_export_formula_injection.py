"""A name that looks like a spreadsheet formula is exported as text, never as a formula, and
our own CSV export re-imports unchanged."""

import csv
from pathlib import Path

import pytest
from openpyxl import load_workbook

from tongxin.factories import PersonFactory, household
from tongxin.imports.services import export_residents, import_residents
from tongxin.people.models import Person

pytestmark = pytest.mark.django_db

EVIL = '=HYPERLINK("http://example.invalid","点我")'


@pytest.fixture
def evil_resident(county) -> Person:
    return PersonFactory(name=EVIL, household=household())


def test_xlsx_export_stores_formula_like_names_as_text(
    evil_resident: Person, tmp_path: Path
) -> None:
    out = tmp_path / "out.xlsx"
    export_residents(out, fmt="xlsx")
    cell = load_workbook(out).active["A2"]
    assert cell.data_type == "s"
    assert cell.value == EVIL


def test_csv_export_guards_formula_like_names_and_reimports_unchanged(
    evil_resident: Person, tmp_path: Path
) -> None:
    out = tmp_path / "out.csv"
    export_residents(out, fmt="csv", unmask=True)
    with out.open(encoding="utf-8-sig") as fh:
        rows = list(csv.reader(fh))
    assert rows[1][0] == "'" + EVIL
    result = import_residents(out)
    assert result.unchanged == 1 and result.updated == 0
    assert Person.objects.get().name == EVIL
