"""CSV files arrive in UTF-8 (with or without a BOM) and in GBK."""

from pathlib import Path

import pytest

from tongxin.imports.services import import_residents
from tongxin.imports.tests.workbooks import resident, write_csv
from tongxin.people.models import Person

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("encoding", ["gbk", "utf-8-sig", "utf-8"])
def test_csv_in_each_encoding_is_read(county, tmp_path: Path, encoding: str) -> None:
    path = write_csv(
        tmp_path / "名单.csv",
        [resident("欧阳娜娜", phone="139 1234 5678", building="3号楼", stairwell="一单元")],
        encoding=encoding,
        names={"姓名": "名字", "证件号码": "身份证号"},
    )
    if encoding == "gbk":
        path.read_bytes().decode("gbk")  # really GBK, not UTF-8
        with pytest.raises(UnicodeDecodeError):
            path.read_bytes().decode("utf-8")

    result = import_residents(path)

    assert result.created == 1
    person = Person.objects.get()
    assert person.name == "欧阳娜娜"
    assert person.phone == "13912345678"
    assert person.household.address.endswith("阳光小区 3幢 1单元 101室")
