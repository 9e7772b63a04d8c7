"""Header names are matched, not positions; a title row or two may sit above the header."""

from pathlib import Path

import pytest

from tongxin.imports.services import import_residents
from tongxin.imports.tests.workbooks import resident, write_xlsx
from tongxin.people.models import DocumentType, Person, ResidenceStatus

pytestmark = pytest.mark.django_db

SYNONYMS = {
    "姓名": "名字",
    "证件号码": "身份证号码",
    "手机号": "联系电话",
    "乡镇街道": "所属街道",
    "社区": "村社区",
    "小区": "小区名称",
    "楼幢": "楼栋",
    "单元": "楼道",
    "房号": "门牌号",
    "居住状态": "人员状态",
}


def test_title_rows_synonyms_and_shuffled_columns_are_read(county, tmp_path: Path) -> None:
    header = ["序号", "房号", "姓名", "楼幢", "证件号码", "小区", "社区", "乡镇街道", "单元",
              "手机号", "居住状态", "备注"]  # fmt: skip
    row = resident("李四", phone="13812345678", stairwell="2", status="暂住")
    row.update({"序号": 1, "备注": "租户"})
    path = write_xlsx(
        tmp_path / "名单.xlsx",
        [row],
        header=header,
        titles=["开化县居民信息登记表", "填报单位：东门社区"],
        names=SYNONYMS,
    )

    result = import_residents(path)

    assert (result.rows, result.created, result.rejected) == (1, 1, 0)
    assert result.ignored_columns == ["序号", "备注"]
    person = Person.objects.get()
    assert person.name == "李四"
    assert person.document_type == DocumentType.RESIDENT_ID  # no 证件类型 column
    assert person.phone == "13812345678"
    assert person.residence_status == ResidenceStatus.TEMPORARY
    assert person.household.address == "开化县 芹阳办事处 东门社区 阳光小区 1幢 2单元 101室"


@pytest.mark.parametrize(
    ("canonical", "synonym"),
    [
        ("姓名", "名字"), ("证件号码", "身份证号"), ("证件号码", "身份证号码"),
        ("手机号", "电话"), ("乡镇街道", "街道"), ("乡镇街道", "乡镇"), ("社区", "所属社区"),
        ("社区", "村"), ("小区", "自然村"), ("楼幢", "楼号"), ("楼幢", "幢"), ("楼幢", "组"),
        ("房号", "室号"), ("居住状态", "居住情况"),
    ],
)  # fmt: skip
def test_every_listed_synonym_is_recognised(county, tmp_path: Path, canonical, synonym) -> None:
    path = write_xlsx(tmp_path / "f.xlsx", [resident("王五")], names={canonical: synonym})

    result = import_residents(path)

    assert result.created == 1
    assert result.ignored_columns == []


def test_blank_rows_are_skipped_and_not_counted(county, tmp_path: Path) -> None:
    path = write_xlsx(tmp_path / "f.xlsx", [resident("甲"), {}, resident("乙", room="102"), {}])

    result = import_residents(path)

    assert (result.rows, result.created) == (2, 2)
    assert result.problems == []


def test_document_types_are_read(county, tmp_path: Path) -> None:
    rows = [
        resident("甲", doc_type="居民身份证"),
        resident("Tom Lee", "E12345678", doc_type="护照"),
        resident("陈大文", "H1234567801", doc_type="港澳台通行证", room="102"),
        resident("乙", "X-1", doc_type="军官证", room="103"),
    ]
    result = import_residents(write_xlsx(tmp_path / "f.xlsx", rows))

    assert result.created == 4
    types = dict(Person.objects.values_list("name", "document_type"))
    assert types == {
        "甲": DocumentType.RESIDENT_ID,
        "Tom Lee": DocumentType.PASSPORT,
        "陈大文": DocumentType.HMT_PERMIT,
        "乙": DocumentType.OTHER,
    }
    assert [p.code for p in result.problems] == ["unknown_document_type"]
