"""The results import says which result words it takes and refuses the rest ("阴" is not
guessed), and a result for a tube never handed over is accepted with a warning, flagged and
listed (issue 8, item 8)."""

import datetime as dt

from tongxin.sampling.models import Box, BoxStatus, LabResult, LabResultStatus, Tube
from tongxin.sampling.services.results import import_result_rows

from .conftest import event, local


def _row(barcode, word):
    return {"barcode": barcode, "result": word, "lab": "县疾控中心",
            "reported_at": local(6, 20).isoformat()}  # fmt: skip


def test_abbreviations_are_refused_with_the_accepted_words(world, upload):
    upload([event(world.people["s1-101"][0], "R1"), event(world.people["s1-102"][0], "R2")])
    summary = import_result_rows([_row("R1", "阴"), _row("R2", "+")], now=local(6, 21))
    assert summary["accepted"] == 0
    assert summary["invalid_count"] == 2
    message = summary["invalid"][0]["message"]
    assert "“阴”无法识别" in message and "阴性" in message and "未检出" in message
    assert Tube.objects.get(barcode="R1").result == ""


def test_the_full_words_are_accepted(world, upload):
    upload([event(world.people["s1-101"][0], "R3"), event(world.people["s1-102"][0], "R4")])
    summary = import_result_rows([_row("R3", "未检出"), _row("R4", "Negative")], now=local(6, 21))
    assert summary["accepted"] == 2


def test_a_result_for_a_tube_never_handed_over_is_accepted_and_flagged(world, upload):
    upload([event(world.people["s1-101"][0], "OPEN1")])
    upload([event(world.people["s1-102"][0], "SENT1")])
    box = Box.objects.create(code="BOX1", round=world.round, point=world.point,
                             status=BoxStatus.IN_TRANSIT, sealed_count=1,
                             sealed_at=local(6, 9))  # fmt: skip
    Tube.objects.filter(barcode="SENT1").update(box=box)
    summary = import_result_rows([_row("OPEN1", "阴性"), _row("SENT1", "阴性")], now=local(6, 21))
    assert summary["accepted"] == 2
    assert summary["not_handed_over_count"] == 1
    assert summary["not_handed_over"][0]["barcode"] == "OPEN1"
    flagged = LabResult.objects.get(barcode="OPEN1")
    assert flagged.not_handed_over and flagged.status == LabResultStatus.ACCEPTED
    assert not LabResult.objects.get(barcode="SENT1").not_handed_over
    assert isinstance(flagged.reported_at, dt.datetime)


def test_the_page_says_what_it_accepts_and_lists_unhanded_tubes(world, upload, client):
    upload([event(world.people["s1-101"][0], "OPEN2")])
    import_result_rows([_row("OPEN2", "阳性")], now=local(6, 21))
    client.force_login(world.users["lab"])
    page = client.get("/sampling/results/").content.decode()
    assert "只接受" in page and "未检出" in page
    assert "OPEN2" in page.split("试管未交接（结果已采用，请核实）")[1].split("条码未登记")[0]
