import io
import json

import pytest
from django.core.management import call_command
from openpyxl import Workbook

from tongxin.factories import make_id_number
from tongxin.workforce.models import Member, PartyStatus, Team
from tongxin.workforce.services.imports import import_members

pytestmark = pytest.mark.django_db

HEADER = ["序号", "姓名", "手机号", "身份证号", "资质", "政治面貌", "派出单位"]


def _xlsx(tmp_path, rows):
    book = Workbook()
    sheet = book.active
    sheet.append(["市第一人民医院驰援开化医疗队名单"])  # a title row above the header
    sheet.append(HEADER)
    for row in rows:
        sheet.append(row)
    path = tmp_path / "team.xlsx"
    book.save(path)
    return path


def test_rows_are_created_updated_or_rejected_with_a_reason(tmp_path, incident) -> None:
    doc = make_id_number()
    path = _xlsx(tmp_path, [
        [1, "王采样", "13800001111", doc, "采样、登记", "中共党员", "市一院"],
        [2, "", "13800002222", "", "采样", "", "市一院"],
        [3, "李护士", "1380000", "", "医护", "", "市一院"],
        [4, "赵医生", "13800003333", "123", "医护", "", "市一院"],
        [5, "钱某", "13800004444", "", "飞行员", "", "市一院"],
        [6, "王采样", "13800001111", doc, "采样", "", "市一院"],
    ])  # fmt: skip
    result = import_members(path, incident, team="市一院医疗队", kind="医疗")
    assert result.as_dict() | {"problems": None} == {
        "rows": 6, "created": 1, "updated": 0, "unchanged": 0, "rejected": 5,
        "rejected_reasons": {
            "duplicate": 1, "invalid_document": 1, "invalid_phone": 1, "missing_name": 1,
            "unknown_qualification": 1,
        },
        "problems": None,
    }  # fmt: skip
    assert [p["row"] for p in result.problems] == [4, 5, 6, 7, 8]
    member = Member.objects.get()
    assert member.qualifications == ["sampling", "registrar"]
    assert member.party_status == PartyStatus.FULL
    assert member.team == Team.objects.get(name="市一院医疗队")
    assert member.phone_masked == "138****1111" and member.document_masked.endswith(doc[-4:])

    # The same file again changes nothing; a changed qualification is an update.
    again = import_members(path, incident, team="市一院医疗队")
    assert (again.created, again.updated, again.unchanged) == (0, 0, 1)


def test_command_prints_the_stable_json(tmp_path, incident) -> None:
    path = _xlsx(tmp_path, [[1, "王采样", "13800001111", "", "采样", "", "市一院"]])
    out = io.StringIO()
    call_command("workforce", "import", str(path), "--team", "市一院医疗队", "--json", stdout=out)
    data = json.loads(out.getvalue())
    assert {"rows", "created", "updated", "rejected", "rejected_reasons"} <= set(data)
    assert (data["rows"], data["created"]) == (1, 1)
    assert "13800001111" not in out.getvalue()
