"""Each existing module's figures provider: counts as they stood at a moment, under an area,
with no personal data; the registry has them all once the apps are ready."""

import json

from django.test import TestCase

from tongxin.directives.services import issue_directive
from tongxin.helpdesk import figures as helpdesk_figures
from tongxin.incidents.registry import figures_providers
from tongxin.sampling import figures as sampling_figures
from tongxin.sampling.services.coverage import coverage_report
from tongxin.sampling.services.results import import_result_rows
from tongxin.sampling.tests.conftest import event, local
from tongxin.units.models import Unit
from tongxin.zones import figures as zone_figures
from tongxin.zones.services import designate_zone, lift_zone, record_positive


def test_registered_at_start_up():
    assert {"zones", "sampling", "helpdesk", "directives"} <= set(figures_providers())


def test_sampling_coverage_results_pools_and_recalls_as_of(world, upload):
    zhang, li = world.people["s1-101"]
    wang = world.people["s1-102"][0]
    coverage_report(world.round)
    upload([event(p, "POOL-A", at=local(6, 8, i)) for i, p in enumerate([zhang, li, wang])])
    upload([event(world.people["s2-201"][0], "POOL-B", at=local(6, 11))])
    with TestCase.captureOnCommitCallbacks(execute=True):
        import_result_rows(
            [
                {"barcode": "POOL-A", "result": "阳性", "lab": "县疾控中心",
                 "reported_at": local(6, 20).isoformat()},
            ],
            now=local(6, 20, 5),
        )  # fmt: skip
    live = sampling_figures.figures(world.incident)
    assert live["round"] == "第一轮全员核酸"
    assert (live["should_test"], live["sampled"], live["untested"]) == (8, 4, 4)
    assert live["result_known"] == 3
    assert live["positive_pools"] == 1 and live["open_recalls"] == 1
    assert live["pending_results"] == 1  # POOL-B
    # As of 10:00 that day: three sampled, nothing known, no pool positive yet.
    morning = sampling_figures.figures(world.incident, at=local(6, 10))
    assert (morning["sampled"], morning["result_known"]) == (3, 0)
    assert (morning["positive_pools"], morning["open_recalls"]) == (0, 0)
    assert morning["pending_results"] == 1  # POOL-A, sampled, no result yet
    # After the last sample and result, the figures as of then are the live ones.
    after = sampling_figures.figures(world.incident, at=local(7, 0))
    keys = ("should_test", "sampled", "result_known", "untested", "positive_pools")
    assert {k: after[k] for k in keys} == {k: live[k] for k in keys}
    # Under 华埠小区: nobody sampled there.
    huabu = sampling_figures.figures(world.incident, area=world.huabu)
    assert (huabu["should_test"], huabu["sampled"], huabu["open_recalls"]) == (2, 0, 0)
    text = json.dumps(live, ensure_ascii=False)
    assert zhang.name not in text and zhang.document_number not in text


def test_zones_counts_residents_and_changes_as_of(world):
    incident = world.incident
    zone = designate_zone(world.sunny, "controlled", incident, at=local(6, 2), reason="发现阳性")
    designate_zone(world.huabu, "prevention", incident, at=local(6, 3), reason="邻近")
    lift_zone(zone, local(6, 20), "连续无新增")
    record_positive(incident, world.homes["s1-101"], local(6, 1))
    noon = zone_figures.figures(incident, at=local(6, 12))
    assert noon["in_force"] == 2
    assert (noon["controlled_count"], noon["controlled_residents"]) == (1, 5)
    assert (noon["prevention_count"], noon["prevention_residents"]) == (1, 2)
    assert noon["labels"]["controlled_count"] == "管控区"
    night = zone_figures.figures(incident, at=local(6, 22))
    assert (night["in_force"], night["designated_total"], night["ended_total"]) == (1, 2, 1)
    estate = zone_figures.figures(incident, area=world.sunny, at=local(6, 12))
    assert (estate["in_force"], estate["prevention_count"]) == (1, 0)


def test_helpdesk_and_directives_as_of(world):
    from tongxin.command.factories import help_request

    incident = world.incident
    help_request(incident, local(6, 9), world.homes["s1-101"], closed_at=local(6, 10))
    help_request(incident, local(6, 9), world.homes["hb3-301"], phone="13700000009")
    at_noon = helpdesk_figures.figures(incident, at=local(6, 12))
    assert (at_noon["received"], at_noon["closed"], at_noon["open"]) == (2, 1, 1)
    assert helpdesk_figures.figures(incident, at=local(6, 9, 30))["closed"] == 0
    assert helpdesk_figures.figures(incident, area=world.huabu, at=local(6, 12))["received"] == 1
    # The unanswered one misses its contact limit later that day.
    late = helpdesk_figures.figures(incident, at=local(7, 12))
    assert late["overdue_now"] == 1 and late["overdue_total"] == 1

    from tongxin.directives import figures as directive_figures

    water = Unit.objects.get(name="县水利局")
    issue_directive(
        incident=incident, issued_by=world.users["command"], title="做好阳光小区全员核酸",
        text="……", deadline=local(6, 18), units=[water], now=local(6, 8),
    )  # fmt: skip
    evening = directive_figures.figures(incident, at=local(6, 20))
    assert (evening["issued"], evening["open"], evening["overdue"]) == (1, 1, 1)
    assert evening["by_unit"] == [{"unit": "县水利局", "open": 1, "overdue": 1}]
    assert directive_figures.figures(incident, area=world.huabu, at=local(6, 20))["issued"] == 0
    assert directive_figures.figures(incident, at=local(6, 7))["issued"] == 0
