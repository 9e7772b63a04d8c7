"""import_records: the same engine for rows already in memory (the demo uses it)."""

import pytest

from tongxin.imports.services import import_records
from tongxin.people.models import Person

pytestmark = pytest.mark.django_db


def test_records_keyed_by_canonical_or_synonym_headers(county) -> None:
    records = [
        {"姓名": "甲", "证件号码": "11010519491231002X", "小区": "阳光小区", "楼幢": 1,
         "房号": 101, "乡镇街道": "芹阳办事处", "社区": "东门社区", "籍贯": "浙江"},
        {"名字": "", "身份证号": "x", "小区名称": "阳光小区", "楼栋": 1, "室号": 102},
    ]  # fmt: skip
    seen: list[tuple[int, int]] = []

    result = import_records(records, first_row=10, progress=lambda d, t: seen.append((d, t)))

    assert (result.rows, result.created, result.rejected) == (2, 1, 1)
    assert result.ignored_columns == ["籍贯"]
    assert result.problems[0].row == 11
    assert Person.objects.get().name == "甲"
    assert seen == [(0, 2), (2, 2)]
