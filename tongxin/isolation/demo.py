"""Centralized isolation for the demo county.

Three sites (a requisitioned hotel, a dedicated site, a cabin hospital) with rooms; people in
isolation admitted through the same services a real county uses (listed, batched, boarded,
received, placed): a first group on the 8th edition's schedule (14 days, tests on days 1, 4, 7,
14), and a group on the 9th's (7 days, tests on days 1, 2, 3, 5, 7) — the county's edition is
switched to np-9 for their intake and back, as a county does on the day a plan changes. A
batch is under way tonight with an elderly woman living alone who cannot be reached (a knock,
a call to her son) and escalated; one person was released this morning on a negative test and
is on her grid's home-monitoring list. Found-or-created: a re-run adds nothing.
"""

import datetime as dt
import uuid
from typing import Any

from django.db import transaction

from tongxin.accounts.models import Role, User
from tongxin.incidents.models import Incident, PolicyEdition
from tongxin.isolation.models import (
    Batch,
    Outcome,
    RoomStatus,
    RoomType,
    Site,
    SiteKind,
    Stay,
    TransferEntry,
    ZoneKind,
)
from tongxin.isolation.services import batches as bs
from tongxin.isolation.services.allocation import allocate_batch
from tongxin.isolation.services.insite import sample_in_site
from tongxin.isolation.services.sites import add_rooms, create_site, set_rooms_status
from tongxin.isolation.services.stays import release
from tongxin.isolation.services.transfer_list import add_entry
from tongxin.people.models import Person, ResidenceStatus
from tongxin.places.models import Place, PlaceKind

HOTEL = "城北隔离酒店"
DEDICATED = "县委党校集中隔离点"
CABIN = "城南方舱医院"
ZONES = (
    (ZoneKind.OBSERVATION, "隔离观察区", "2-6"),
    (ZoneKind.WORK, "工作准备区", "1"),
    (ZoneKind.HYGIENE, "卫生通过区", "1"),
)


def _people(count: int, skip: set[int], *, min_age: int = 18) -> list[Person]:
    """Residents living at home, in path order, one per household (households travel
    together, so one each keeps the demo batches small)."""
    chosen: list[Person] = []
    households: set[int] = set()
    qs = (
        Person.objects.filter(residence_status=ResidenceStatus.RESIDENT)
        .exclude(pk__in=skip)
        .select_related("household")
        .order_by("household__path", "pk")
    )
    for person in qs.iterator(chunk_size=500):
        if person.household_id in households or (person.age or 0) < min_age:
            continue
        households.add(person.household_id)
        chosen.append(person)
        if len(chosen) == count:
            break
    return chosen


def _admit(
    incident: Incident, site: Site, people: list[Person], *, level: str, exposed: dt.datetime,
    intake: dt.datetime, user: User, escort: User, plate: str,
) -> Batch:  # fmt: skip
    """List, batch, board, place and receive a group, as on the night they were taken in."""
    entries = [
        add_entry(
            user,
            incident,
            p,
            level=level,
            reason="与病例同楼层居住" if level == "secondary" else "与病例共同居住",
            last_exposure=exposed,
        )
        for p in people
    ]
    batch = bs.create_batch(
        user, incident, site, entries, vehicle_plate=plate, seats=max(len(entries), 20),
        planned_at=intake - dt.timedelta(hours=1), escort=escort, driver_name="驾驶员",
    )  # fmt: skip
    allocate_batch(user, batch, now=intake)
    for member in batch.members.all():
        bs.record_outcome(escort, member, Outcome.BOARDED, at=intake - dt.timedelta(minutes=30))
    bs.receive(user, batch, [m.pk for m in batch.members.all()], at=intake)
    bs.record_disinfection(user, batch, agent="含氯消毒液 1000mg/L 喷洒擦拭", at=intake)
    bs.close_batch(user, batch, now=intake)
    return batch


def _switch(incident: Incident, code: str) -> None:
    incident.policy_edition = PolicyEdition.objects.get(code=code)
    incident.save(update_fields=["policy_edition"])


@transaction.atomic
def load_demo_isolation(incident: Incident, now: dt.datetime) -> dict[str, Any]:
    if Site.objects.filter(name=HOTEL).exists():
        return {"created": False, "sites": Site.objects.count()}
    command = User.objects.filter(username=str(Role.COMMAND_POST)).first()
    escort = User.objects.filter(username=str(Role.TRANSFER)).first()
    townships = list(Place.objects.filter(kind=PlaceKind.TOWNSHIP).order_by("path"))
    if command is None or escort is None or not townships:
        return {"created": False, "sites": 0}
    town, south = townships[0], townships[-1]
    hotel = create_site(
        name=HOTEL, place=town, kind=SiteKind.HOTEL, address="城关街道城北路88号",
        lead=escort, zones=ZONES,
    )  # fmt: skip
    add_rooms(hotel, range(2, 7), 12)
    add_rooms(hotel, [1], 3, type=RoomType.ACCESSIBLE)
    dedicated = create_site(
        name=DEDICATED, place=town, kind=SiteKind.DEDICATED, address="城关街道党校路1号",
        zones=ZONES,
    )  # fmt: skip
    add_rooms(dedicated, range(1, 5), 15)
    add_rooms(dedicated, [5], 6, type=RoomType.MULTI, beds=3)
    cabin = create_site(
        name=CABIN, place=south, kind=SiteKind.CABIN, address="南山镇体育馆", zones=ZONES
    )
    add_rooms(cabin, [1], 20, type=RoomType.MULTI, beds=4)
    set_rooms_status(list(cabin.rooms.all()[:4]), RoomStatus.OUT_OF_SERVICE, reason="尚未启用")

    used: set[int] = set()
    original = incident.policy_edition.code
    # The 8th edition's group: close contacts exposed 15 days ago (due since yesterday), taken
    # in 14 days ago; secondary contacts taken in 5 days ago.
    close8 = _people(10, used)
    used |= {p.pk for p in close8}
    _admit(
        incident, hotel, close8, level="close", exposed=now - dt.timedelta(days=15),
        intake=now - dt.timedelta(days=14), user=command, escort=escort, plate="浙H·D0001",
    )  # fmt: skip
    second8 = _people(6, used)
    used |= {p.pk for p in second8}
    _admit(
        incident, hotel, second8, level="secondary", exposed=now - dt.timedelta(days=6),
        intake=now - dt.timedelta(days=5), user=command, escort=escort, plate="浙H·D0002",
    )  # fmt: skip
    # The 9th edition's group, admitted after the county switched plans (then back, for the
    # rest of the demo): 7 days, tests on days 1, 2, 3, 5, 7.
    close9 = _people(8, used)
    used |= {p.pk for p in close9}
    _switch(incident, "np-9")
    try:
        _admit(
            incident, dedicated, close9, level="close", exposed=now - dt.timedelta(days=3),
            intake=now - dt.timedelta(days=2), user=command, escort=escort, plate="浙H·D0003",
        )  # fmt: skip
    finally:
        _switch(incident, original)

    # One of the first group is released this morning on a negative final test.
    first = Stay.objects.filter(entry__person=close8[0]).select_related("site").get()
    barcode = f"GLDEMO{uuid.UUID(int=first.pk).hex[-6:]}"
    sampled = now - dt.timedelta(hours=20)
    sample_in_site(escort, first, barcode, at=sampled)  # the hotel's lead samples in site
    from tongxin.sampling.services.results import import_result_rows

    import_result_rows(
        [{"barcode": barcode, "result": "negative", "lab": "县疾控中心检测实验室",
          "reported_at": (sampled + dt.timedelta(hours=6)).isoformat()}],
        name="demo-isolation.csv",
    )  # fmt: skip
    release(command, first, at=now - dt.timedelta(hours=2))

    # Tonight's batch, under way: an elderly woman living alone cannot be reached.
    tonight = _people(4, used, min_age=30)
    oldest = max(tonight, key=lambda p: p.age or 0)
    entries = [
        add_entry(
            command,
            incident,
            p,
            level="close",
            reason="与病例同一密闭工作场所",
            last_exposure=now - dt.timedelta(days=1),
            elderly_alone=p is oldest,
        )
        for p in tonight
    ]
    batch = bs.create_batch(
        command, incident, hotel, entries, vehicle_plate="浙H·D0008", seats=20,
        planned_at=now - dt.timedelta(hours=1), escort=escort, driver_name="驾驶员",
    )  # fmt: skip
    allocate_batch(command, batch, now=now)
    members = {m.entry.person_id: m for m in batch.members.select_related("entry")}
    granny = members[oldest.pk]
    at = now - dt.timedelta(minutes=50)
    bs.log_contact(escort, granny, "knock", "敲门无人应答", at=at)
    bs.log_contact(escort, granny, "call", "电话两次无人接听", at=at + dt.timedelta(minutes=5))
    bs.log_contact(
        escort, granny, "relative", "联系到在厦门的儿子，正在劝说", at=at + dt.timedelta(minutes=15)
    )
    bs.record_outcome(escort, granny, Outcome.UNREACHABLE, "本人未应答", at=at)
    boarded = [m for pid, m in members.items() if pid != oldest.pk][:1]
    for m in boarded:
        bs.record_outcome(escort, m, Outcome.BOARDED, at=now - dt.timedelta(minutes=40))
    bs.escalate_unreachable(now=now)
    return {
        "created": True,
        "sites": Site.objects.count(),
        "in_isolation": Stay.objects.filter(status="in_site").count(),
        "waiting": TransferEntry.objects.filter(status="waiting").count(),
    }
