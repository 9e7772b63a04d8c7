"""A dialysis run's manifest is built from the registry: the right weekday, the right township,
door pick-up for sealed and controlled zones. Planning again changes nothing that is right."""

import datetime as dt

import pytest

from tongxin.accounts.models import User
from tongxin.care.models import GreenRun, Hospital, PassengerStatus, RunPassenger
from tongxin.care.services import runs, slots
from tongxin.incidents.models import Incident, PolicyEdition
from tongxin.incidents.services import open_incident
from tongxin.people.models import ResidenceStatus
from tongxin.zones.services import designate_zone

from .conftest import MONDAY, START, TUESDAY, County, dialysis, resident

pytestmark = pytest.mark.django_db


def manifest(run: GreenRun) -> dict[str, tuple[bool, str]]:
    """name -> (at the door, stop name or "")"""
    return {
        p.person.name: (p.at_door, p.stop.name if p.stop else "")
        for p in run.passengers.select_related("person", "stop")
    }


def test_monday_run_takes_the_townships_monday_patients_only(
    county: County, hospital: Hospital, incident: Incident
) -> None:
    other = Hospital.objects.create(name="市中心医院")
    dialysis(resident(county.sunny_101, "周一三五"), hospital, "135")
    dialysis(resident(county.sunny_201, "周二四六"), hospital, "246")
    dialysis(resident(county.happy_101, "西门周一"), hospital, "1")
    dialysis(resident(county.river_101, "华埠周一"), hospital, "135")
    dialysis(resident(county.sunny_201, "去市里"), other, "135")
    away = resident(county.sunny_101, "外出")
    away.residence_status = ResidenceStatus.AWAY
    away.save()
    dialysis(away, hospital, "135")
    ended = dialysis(resident(county.sunny_101, "已结束"), hospital, "135")
    ended.ended_on = MONDAY - dt.timedelta(days=1)
    ended.save()

    result = runs.plan_runs(MONDAY, township=county.qinyang)

    by_hospital = {r.hospital.name: r for r in result.runs}
    assert set(by_hospital) == {"县人民医院", "市中心医院"}
    run = by_hospital["县人民医院"]
    assert (run.township, run.date, run.incident) == (county.qinyang, MONDAY, incident)
    assert manifest(run) == {
        "周一三五": (False, "东门社区集合点"),
        "西门周一": (False, "西门社区集合点"),
    }
    assert manifest(by_hospital["市中心医院"]) == {"去市里": (False, "东门社区集合点")}
    # 华埠镇 was not asked for; Tuesday's patients ride on Tuesday.
    assert not GreenRun.objects.filter(township=county.huabu).exists()
    tuesday = runs.plan_runs(TUESDAY).runs
    assert [set(manifest(r)) for r in tuesday] == [{"周二四六"}]


def test_sealed_and_controlled_homes_are_picked_up_at_the_door(
    county: County, hospital: Hospital, incident: Incident
) -> None:
    sealed = resident(county.sunny_101, "封控楼")
    controlled = resident(county.happy_101, "管控小区")
    prevention = resident(county.sunny_201, "防范区")
    for person in (sealed, controlled, prevention):
        dialysis(person, hospital, "1")
    designate_zone(county.sunny.parent, "prevention", incident, at=START, reason="社区防范")
    designate_zone(county.sunny_101.parent, "sealed", incident, at=START, reason="楼内阳性")
    designate_zone(county.happy, "controlled", incident, at=START, reason="密接居住")

    (run,) = runs.plan_runs(MONDAY).runs

    assert manifest(run) == {
        "封控楼": (True, ""),
        "管控小区": (True, ""),
        "防范区": (False, "东门社区集合点"),
    }
    zones = dict(run.passengers.values_list("person__name", "zone_name"))
    assert zones == {"封控楼": "封控区", "管控小区": "管控区", "防范区": "防范区"}
    door = RunPassenger.objects.filter(run=run, at_door=True)
    assert all(p.pickup_time is not None for p in door)


def test_the_door_rule_follows_the_edition_not_names(
    county: County, hospital: Hospital, np8: PolicyEdition
) -> None:
    """Under the 9th edition the kinds are called 高/中/低风险区; 中风险区 (people may not
    leave it) is fetched at the door, 低风险区 is not."""
    np9 = PolicyEdition.objects.get(code="np-9")
    incident = open_incident("2022-07 疫情", np9, START)
    medium = resident(county.sunny_101, "中风险")
    low = resident(county.happy_101, "低风险")
    dialysis(medium, hospital, "1")
    dialysis(low, hospital, "1")
    designate_zone(county.sunny, "medium", incident, at=START, reason="中风险")
    designate_zone(county.happy, "low", incident, at=START, reason="低风险")

    (run,) = runs.plan_runs(MONDAY, incident=incident).runs
    assert manifest(run) == {"中风险": (True, ""), "低风险": (False, "西门社区集合点")}

    # An edition may set the threshold outright (here: only the most restrictive kind).
    np9.rules["green_channel"] = {"door_pickup_min_rank": 3}
    np9.save()
    runs.plan_runs(MONDAY, incident=incident)
    assert manifest(run)["中风险"] == (False, "东门社区集合点")


def test_planning_again_is_idempotent_and_follows_the_registry(
    county: County, hospital: Hospital, incident: Incident, chief: User
) -> None:
    slots.add_slot(hospital, MONDAY, dt.time(8), dt.time(12), "血透绿色通道A区", 10)
    a = dialysis(resident(county.sunny_101, "甲"), hospital, "135")
    b = dialysis(resident(county.sunny_201, "乙"), hospital, "135")
    first = runs.plan_runs(MONDAY)
    (run,) = first.runs
    assert (first.added, first.removed, first.unbooked) == (2, 0, 0)
    assert run.departs_at == dt.time(7, 0)  # an hour before the 08:00 slot
    before = list(RunPassenger.objects.order_by("id").values_list("id", "stop_id", "slot_id"))

    again = runs.plan_runs(MONDAY)
    assert (again.added, again.removed) == (0, 0)
    assert [r.pk for r in again.runs] == [run.pk]
    assert (
        list(RunPassenger.objects.order_by("id").values_list("id", "stop_id", "slot_id")) == before
    )
    assert run.stops.count() == 1

    # 甲 already boarded; 乙 moved to Tue/Thu/Sat: 甲 stays, 乙 leaves and frees the slot.
    runs.check_off(chief, RunPassenger.objects.get(need=a).pk, runs.Stage.PICKUP)
    b.weekdays = "246"
    b.save()
    a.ended_on = MONDAY - dt.timedelta(days=1)
    a.save()
    third = runs.plan_runs(MONDAY)
    assert third.removed == 1
    assert [(p.person.name, p.status) for p in run.passengers.all()] == [
        ("甲", PassengerStatus.PICKED_UP)
    ]
    slot = hospital.slots.get()
    assert slot.booked == 1
