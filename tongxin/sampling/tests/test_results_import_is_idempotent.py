"""Importing lab results: a re-import changes nothing; unknown barcodes and conflicting
results are reported (and kept), never dropped."""

from tongxin.audit.models import AuditEvent
from tongxin.sampling.models import LabResult, LabResultStatus, ResultImport, Tube
from tongxin.sampling.services.results import import_results, import_results_file

from .conftest import event, local

CSV = """试管条码,检测结果,ORF1ab,N,检测机构,报告时间
N1,阴性,,,县疾控中心,2022-03-06 20:00
N2,阴性,,,县疾控中心,2022-03-06 20:01
NOPE-404,阴性,,,县疾控中心,2022-03-06 20:02
N1,阳性,28.1,30.2,县疾控中心,2022-03-06 21:00
N2,阴性,,,县疾控中心,2022-03-06 20:01
N3,可疑,,,县疾控中心,2022-03-06 20:03
"""


def test_reimport_changes_nothing_and_problems_are_reported(world, upload, tmp_path):
    people = world.all_people()
    upload([event(people[0], "N1"), event(people[1], "N2"), event(people[2], "N3")])
    path = tmp_path / "结果.csv"
    path.write_text(CSV, encoding="utf-8")

    summary = import_results_file(path)
    assert summary["rows"] == 6
    assert summary["accepted"] == 2
    assert summary["duplicate_in_file"] == 1
    assert summary["unknown"] == [{"row": 4, "barcode": "NOPE-404"}]
    assert summary["conflicts"] == [
        {"row": 5, "barcode": "N1", "result": "positive", "in_force": "negative",
         "lab": "县疾控中心"}
    ]  # fmt: skip
    assert [i["row"] for i in summary["invalid"]] == [7]
    assert "可疑" in summary["invalid"][0]["message"]
    # The conflicting positive does not silently raise anything; the tube is flagged.
    assert summary["recalls_raised"] == []
    n1 = Tube.objects.get(barcode="N1")
    assert (n1.result, n1.result_conflict) == ("negative", True)
    assert LabResult.objects.filter(status=LabResultStatus.UNKNOWN, tube=None).count() == 1
    assert LabResult.objects.count() == 4

    before = (
        list(LabResult.objects.values_list("pk", "status")),
        list(Tube.objects.values_list("barcode", "result", "result_conflict")),
        ResultImport.objects.count(),
    )
    again = import_results(path)
    assert (again["new"], again["unchanged"], again["accepted"]) == (0, 5, 0)
    after = (
        list(LabResult.objects.values_list("pk", "status")),
        list(Tube.objects.values_list("barcode", "result", "result_conflict")),
        ResultImport.objects.count(),
    )
    assert after == before
    assert AuditEvent.objects.filter(target_type="sampling.labresult").count() == 2


def test_an_invalid_result_can_be_followed_by_a_real_one(world, upload):
    from tongxin.sampling.services.results import import_result_rows

    upload([event(world.all_people()[0], "V1")])
    rows = [
        {"barcode": "V1", "result": "无效", "lab": "县疾控中心",
         "reported_at": local(6, 20).isoformat()},
        {"barcode": "V1", "result": "阴性", "lab": "县疾控中心",
         "reported_at": local(6, 23).isoformat()},
    ]  # fmt: skip
    summary = import_result_rows(rows)
    assert (summary["accepted"], summary["conflict_count"]) == (2, 0)
    tube = Tube.objects.get(barcode="V1")
    assert (tube.result, tube.result_at) == ("negative", local(6, 23))


def test_labs_upload_results_through_the_api(world, upload):
    from django.test import Client

    from tongxin.accounts.models import ApiToken

    upload([event(world.all_people()[0], "API-R1")])
    _token, key = ApiToken.issue(world.users["lab"], "实验室 LIS")
    lab = Client(HTTP_AUTHORIZATION=f"Bearer {key}")
    body = {
        "lab": "县疾控中心",
        "rows": [
            {"barcode": "API-R1", "result": "阴性", "reported_at": "2022-03-06T20:00:00"},
            {"barcode": "API-NOPE", "result": "阴性", "reported_at": "2022-03-06T20:00:00"},
        ],
    }
    first = lab.post("/api/v1/sampling/results", body, content_type="application/json")
    assert first.status_code == 200
    assert (first.json()["accepted"], first.json()["unknown_count"]) == (1, 1)
    again = lab.post("/api/v1/sampling/results", body, content_type="application/json")
    assert (again.json()["new"], again.json()["unchanged"]) == (0, 2)
    assert Tube.objects.get(barcode="API-R1").result == "negative"

    _token, key = ApiToken.issue(world.users["leader"], "not a lab")
    other = Client(HTTP_AUTHORIZATION=f"Bearer {key}")
    assert (
        other.post("/api/v1/sampling/results", body, content_type="application/json").status_code
        == 403
    )
