"""Coverage numbers equal a hand count on a fixture estate (阳光小区), live and after a recount.

By hand, 阳光小区 in the round: 张三 李梅 (1幢101), 王五 王小五 (1幢102), 赵六 (2幢201).
王小五 is marked 外出, so the round expects 4. Sampled: 张三 李梅 王五 (and 王小五, who came
anyway: sampled but not expected). Untested: 赵六 (拒检, reminded). Known results: 张三 李梅.
"""

from tongxin.people.models import ResidenceStatus
from tongxin.sampling.services.coverage import coverage_report, recount, untested
from tongxin.sampling.services.results import import_result_rows
from tongxin.testing.models import ExemptionReason, ReminderEntry, ReminderStatus
from tongxin.testing.services.rounds import exempt

from .conftest import event, local


def _prepare(world, upload):
    zhang, li = world.people["s1-101"]
    wang, wang_xiao = world.people["s1-102"]
    zhao = world.people["s2-201"][0]
    sun = world.people["hb3-301"][0]
    wang_xiao.residence_status = ResidenceStatus.AWAY
    wang_xiao.save()
    exempt(world.round, zhao, ExemptionReason.REFUSED, note="拒绝采样")
    ReminderEntry.objects.create(
        round=world.round, household=zhao.household, status=ReminderStatus.REMINDED
    )
    coverage_report(world.round)  # the first look counts the registry
    upload([event(zhang, "C1", at=local(6, 8)), event(li, "C1", at=local(6, 8, 1))])
    upload([event(wang, "C2", at=local(6, 9)), event(wang_xiao, "C2", at=local(6, 9, 1))])
    upload([event(sun, "C3", at=local(6, 9, 30))], user="command", point=world.huabu_point)
    upload([event(zhang, "C4", at=local(6, 10))])  # sampled twice: counted once
    import_result_rows(
        [
            {
                "barcode": "C1",
                "result": "阴性",
                "lab": "县疾控中心",
                "reported_at": local(6, 15).isoformat(),
            }
        ],
        now=local(6, 15, 1),
    )
    return zhao


def _check_estate(report):
    assert report["area"]["name"] == "阳光小区"
    figures = {k: report[k] for k in (
        "should_test", "sampled", "result_known", "untested", "sampled_not_expected",
        "households", "untested_households",
    )}  # fmt: skip
    assert figures == {
        "should_test": 4, "sampled": 3, "result_known": 2, "untested": 1,
        "sampled_not_expected": 1, "households": 3, "untested_households": 1,
    }  # fmt: skip
    children = {
        c["name"]: (c["should_test"], c["sampled"], c["untested"]) for c in report["children"]
    }
    assert children == {"1幢": (3, 3, 0), "2幢": (1, 0, 1)}
    assert report["exempted_untested"] == {
        "total": 1,
        "by_reason": [{"reason": "refused", "label": "拒检", "count": 1}],
    }
    assert report["reminders"] == {
        "untested_households": 1,
        "reminded": 1,
        "no_answer": 0,
        "not_reminded": 0,
    }


def test_estate_coverage_equals_the_hand_count(world, upload):
    zhao = _prepare(world, upload)
    _check_estate(coverage_report(world.round, world.sunny))
    rows = untested(world.round, world.sunny)
    assert [(r["name"], r["reason"], r["reminder"]) for r in rows] == [
        ("赵六", "refused", "reminded")
    ]
    assert rows[0]["document_masked"] == zhao.document_masked
    assert zhao.document_number not in str(rows)

    # The recount from the registry agrees with the live tallies.
    recount(world.round)
    _check_estate(coverage_report(world.round, world.sunny))


def test_the_whole_round_and_its_points(world, upload):
    _prepare(world, upload)
    report = coverage_report(world.round)
    assert report["area"] is None
    assert (report["should_test"], report["sampled"], report["untested"]) == (7, 4, 3)
    assert [(c["name"], c["should_test"], c["sampled"]) for c in report["children"]] == [
        ("阳光小区", 4, 3),
        ("幸福小区", 1, 0),
        ("华埠小区", 2, 1),
    ]
    points = {p["name"]: p for p in report["points"]}
    assert points["阳光小区东门采样点"]["samples"] == 5
    assert [h["samples"] for h in points["阳光小区东门采样点"]["hours"]] == [2, 2, 1]
    assert points["阳光小区东门采样点"]["hours"][0]["hour"].startswith("2022-03-06T08:00")


def test_a_status_change_after_sampling_is_counted_by_the_recount(world, upload):
    _prepare(world, upload)
    wang = world.people["s1-102"][0]
    wang.residence_status = ResidenceStatus.REGISTERED_ABSENT
    wang.save()
    recount(world.round)
    report = coverage_report(world.round, world.sunny)
    assert (report["should_test"], report["sampled"], report["sampled_not_expected"]) == (3, 2, 2)
