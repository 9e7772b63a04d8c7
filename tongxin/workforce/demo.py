"""The demo county's people on duty: reinforcement teams (medical staff from the city's
hospitals, police from seven districts, the county's cadres), volunteers with their
organisations (some waiting for verification, some living in the sealed buildings), posts at
every test point, checkpoint, sealed stairwell, the help desk and the warehouse, today's and
tomorrow's shifts filled by the suggestion but with gaps left, people on duty now (one cadre
20 hours in), and seven temporary party branches of the reinforcement police.

Found-or-created: a re-run adds nothing. Names and phone numbers are made up (seeded)."""

import datetime as dt
import random
from typing import Any

from django.db import transaction
from django.utils import timezone

from tongxin.accounts.models import Role, User
from tongxin.incidents.models import Incident
from tongxin.people.models import Person, ResidenceStatus
from tongxin.places.models import Place, PlaceKind
from tongxin.testing.models import TestPoint
from tongxin.workforce.models import (
    ActivityKind,
    Assignment,
    Attendance,
    BranchScope,
    Member,
    OrgKind,
    PartyStatus,
    Post,
    PostKind,
    Team,
    TeamKind,
    Verification,
    VolunteerOrg,
)
from tongxin.workforce.services import suggest as sg
from tongxin.workforce.services.shifts import create_shift
from tongxin.workforce.services.teams import found_branch, log_activity
from tongxin.zones.models import ZoneDesignation

SEED = "tongxin-workforce-demo"
SURNAMES = (
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董潘袁蔡蒋余于杜叶程"
)
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华建国志红玉兰文斌海燕鹏飞婷慧"
MEDICAL_TEAMS = (
    ("市人民医院驰援医疗队", "市人民医院", 14),
    ("市中医院驰援医疗队", "市中医院", 10),
    ("市妇幼保健院驰援医疗队", "市妇幼保健院", 6),
)
POLICE_DISTRICTS = ("柯城", "衢江", "龙游", "江山", "常山", "智造新城", "高铁新城")
VOLUNTEER_ORGS = (
    ("蓝天救援队", OrgKind.RESCUE, 8),
    ("快递小哥志愿服务队", OrgKind.COURIERS, 6),
    ("返乡大学生志愿者", OrgKind.STUDENTS, 8),
)


def _name(rng: random.Random) -> str:
    return rng.choice(SURNAMES) + "".join(rng.choice(GIVEN) for _ in range(rng.choice((1, 2))))


def _phone(rng: random.Random, used: set[str]) -> str:
    while True:
        number = rng.choice(("139", "158", "186", "177")) + f"{rng.randint(0, 10**8 - 1):08d}"
        if number not in used:
            used.add(number)
            return number


def _at(day: dt.date, hour: int, minute: int = 0) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time(hour, minute)))


def load_demo_workforce(incident: Incident, now: dt.datetime) -> dict[str, Any]:
    if Team.objects.filter(incident=incident).exists() or not incident.is_open:
        return _summary(incident)
    with transaction.atomic():
        _build(incident, now)
    return _summary(incident)


def _summary(incident: Incident) -> dict[str, Any]:
    return {
        "teams": Team.objects.filter(incident=incident).count(),
        "members": Member.objects.filter(incident=incident).count(),
        "posts": Post.objects.filter(incident=incident).count(),
        "assignments": Assignment.objects.filter(member__incident=incident).count(),
    }


def _build(incident: Incident, now: dt.datetime) -> None:
    rng = random.Random(SEED)  # noqa: S311  (demo data, not security)
    used: set[str] = set()
    townships = list(Place.objects.filter(kind=PlaceKind.TOWNSHIP).order_by("path"))
    county_town = townships[0] if townships else None

    def member(team: Team | None, quals: list[str], **kw: Any) -> Member:
        kw.setdefault("party_status", rng.choice(
            (PartyStatus.FULL, PartyStatus.FULL, PartyStatus.PROBATIONARY, PartyStatus.NONE)
        ))  # fmt: skip
        return Member.objects.create(
            incident=incident, team=team, name=kw.pop("name", None) or _name(rng),
            phone=_phone(rng, used), qualifications=quals, area=kw.pop("area", county_town), **kw,
        )  # fmt: skip

    arrived = timezone.localdate(now) - dt.timedelta(days=2)
    demo_member: Member | None = None
    for name, org, size in MEDICAL_TEAMS:
        team = Team.objects.create(
            incident=incident, name=name, kind=TeamKind.MEDICAL, sending_org=org,
            arrived_on=arrived, departs_on=arrived + dt.timedelta(days=14),
            lodging="县城开元酒店", closed_loop=True, test_every_days=1,
        )  # fmt: skip
        for i in range(size):
            quals = ["sampling", "medical"] if i % 3 else ["sampling", "registrar"]
            m = member(team, quals)
            if i == 0:
                team.leader = m
                team.save(update_fields=["leader"])
            if demo_member is None:
                demo_member = m
    police_teams = []
    for district in POLICE_DISTRICTS:
        team = Team.objects.create(
            incident=incident, name=f"{district}公安驰援警力", kind=TeamKind.POLICE,
            sending_org=f"衢州市公安局{district}分局", arrived_on=arrived,
            lodging="县公安局培训中心", closed_loop=True, test_every_days=1,
        )  # fmt: skip
        people = [member(team, ["police", "driver"] if i == 0 else ["police"]) for i in range(5)]
        people[0].party_status = PartyStatus.FULL
        people[0].save()
        police_teams.append((team, people))
    cadres = Team.objects.create(
        incident=incident, name="县直机关党员干部突击队", kind=TeamKind.CADRES,
        sending_org="县委组织部", arrived_on=arrived,
    )  # fmt: skip
    cadre_people = [member(cadres, ["registrar", "other"]) for _ in range(16)]

    # Volunteers: organisations, some waiting for verification; two live in sealed buildings.
    sealed = list(
        ZoneDesignation.objects.filter(incident=incident, effective_until__isnull=True)
        .filter(kind_rank=3)
        .select_related("place")
    )
    sealed_residents = []
    for d in sealed[:2]:
        resident = (
            Person.objects.filter(
                household__path__startswith=d.place.path,
                residence_status=ResidenceStatus.RESIDENT,
            )
            .order_by("household__path", "pk")
            .first()
        )
        if resident is not None:
            sealed_residents.append(resident)
    for org_name, kind, size in VOLUNTEER_ORGS:
        volunteer_org = VolunteerOrg.objects.create(incident=incident, name=org_name, kind=kind)
        for i in range(size):
            pending = i >= size - 2
            m = member(
                None, rng.choice((["registrar"], ["driver"], ["other"], ["registrar", "other"])),
                is_volunteer=True, organisation=volunteer_org, party_status=PartyStatus.NONE,
                verification=Verification.PENDING if pending else Verification.VERIFIED,
                verified_at=None if pending else now, availability="每天 18:00 以后",
            )  # fmt: skip
            if i == 0:
                volunteer_org.coordinator = m
                volunteer_org.save(update_fields=["coordinator"])
    for resident in sealed_residents:
        member(
            None, ["registrar", "other"], name=resident.name, is_volunteer=True,
            document_number=resident.document_number, home=resident.household,
            area=resident.household, verification=Verification.VERIFIED, verified_at=now,
            party_status=PartyStatus.NONE, skills="楼道消杀、代购",
        )  # fmt: skip

    # Posts.
    code = iter(range(1, 10_000))
    posts: dict[str, list[Post]] = {"point": [], "checkpoint": [], "stairwell": [], "other": []}

    def post(name: str, kind: str, group: str, **kw: Any) -> Post:
        made = Post.objects.create(
            incident=incident, name=name, kind=kind, code=f"G{next(code):04d}", **kw
        )
        posts[group].append(made)
        return made

    for point in TestPoint.objects.filter(active=True).select_related("place").order_by("pk")[:8]:
        post(point.name, PostKind.TEST_POINT, "point", place=point.place, test_point=point)
    for t in townships[:3]:
        post(f"{t.name}入城卡口", PostKind.CHECKPOINT, "checkpoint", place=t)
    for d in sealed[:3]:
        post(f"{d.place.name}楼道值守", PostKind.STAIRWELL, "stairwell", place=d.place)
    post("县集中隔离点（党校）", PostKind.ISOLATION_SITE, "other", site_name="县委党校隔离点",
         place=county_town)  # fmt: skip
    post("求助平台值守", PostKind.HELPDESK, "other", place=county_town)
    post("县应急物资仓库", PostKind.WAREHOUSE, "other", place=county_town)
    estate = sealed[0].place.parent if sealed and sealed[0].place.parent else county_town
    post("城东嘉苑包区清楼提醒", PostKind.CLEAR_BUILDINGS, "other", place=estate)

    # Shifts today and tomorrow: demand beyond what the teams can cover, so gaps remain.
    today = timezone.localdate(now)
    for day in (today, today + dt.timedelta(days=1)):
        for p in posts["point"]:
            create_shift(
                p, _at(day, 5), _at(day, 10), {"sampling": 6, "registrar": 2}, label="早班"
            )
            create_shift(
                p, _at(day, 18), _at(day, 22), {"sampling": 4, "registrar": 2}, label="晚班"
            )
        for p in posts["checkpoint"]:
            for start in (0, 8, 16):
                create_shift(p, _at(day, start), _at(day, start) + dt.timedelta(hours=8),
                             {"police": 2, "registrar": 1}, label=f"{start:02d}时班")  # fmt: skip
        for p in posts["stairwell"]:
            for start in (8, 20):
                create_shift(p, _at(day, start), _at(day, start) + dt.timedelta(hours=12),
                             {"other": 1}, label="值守")  # fmt: skip
        for p in posts["other"]:
            create_shift(p, _at(day, 8), _at(day, 18), {"registrar": 2, "other": 1}, label="白班")
        proposals = sg.suggest(incident, day)
        # Fill about three quarters of what was proposed: the rest shows as gaps.
        proposals.proposals = [x for i, x in enumerate(proposals.proposals) if i % 4 != 3]
        sg.apply(proposals)

    # The demo member login on today's early shift at the first test point.
    login = User.objects.filter(username=str(Role.MEMBER)).first()
    if demo_member is not None and login is not None:
        demo_member.user = login
        demo_member.name = login.full_name or demo_member.name
        demo_member.save()

    # On duty now, and a cadre 20 hours in with one short break.
    on_duty = list(
        Assignment.objects.filter(
            member__incident=incident, starts_at__lte=now, ends_at__gt=now
        ).select_related("shift__post")[:12]
    )
    for n, a in enumerate(on_duty):
        if demo_member is not None and a.member_id == demo_member.pk:
            continue
        Attendance.objects.get_or_create(
            client_id_in=f"demo-{a.pk}",
            defaults={"member": a.member, "post": a.shift.post, "assignment": a,
                      "checked_in_at": max(a.starts_at, now - dt.timedelta(hours=3 + n % 3))},
        )  # fmt: skip
    # A cadre not on duty above (which people are depends on the hour the demo is loaded).
    busy = set(
        Attendance.objects.filter(checked_out_at__isnull=True).values_list("member_id", flat=True)
    )
    tired = next((m for m in cadre_people if m.pk not in busy), cadre_people[0])
    warehouse_post = next(p for p in posts["other"] if p.kind == PostKind.WAREHOUSE)
    if not Attendance.objects.filter(client_id_in="demo-tired-1").exists():
        Attendance.objects.create(
            member=tired, post=warehouse_post, checked_in_at=now - dt.timedelta(hours=20),
            checked_out_at=now - dt.timedelta(hours=11), client_id_in="demo-tired-1",
            client_id_out="demo-tired-1o",
        )  # fmt: skip
        Attendance.objects.create(
            member=tired, post=warehouse_post, checked_in_at=now - dt.timedelta(hours=10),
            client_id_in="demo-tired-2",
        )  # fmt: skip
    # A finished stretch yesterday for the volunteers' certificates.
    yesterday = today - dt.timedelta(days=1)
    for m in Member.objects.filter(incident=incident, is_volunteer=True,
                                   verification=Verification.VERIFIED)[:10]:  # fmt: skip
        Attendance.objects.create(
            member=m, post=posts["other"][-1], checked_in_at=_at(yesterday, 18),
            checked_out_at=_at(yesterday, 21, 30), client_id_in=f"demo-vol-{m.pk}",
            client_id_out=f"demo-vol-{m.pk}-o",
        )  # fmt: skip

    # Seven temporary party branches of the reinforcement police.
    checkpoints = posts["checkpoint"] or posts["other"]
    for n, (team, people) in enumerate(police_teams, start=1):
        checkpoint = checkpoints[(n - 1) % len(checkpoints)]
        party = [p for p in people if p.is_party_member]
        branch = found_branch(
            incident, f"{team.name}临时党支部", scope=BranchScope.TEAM,
            founded_on=arrived, secretary=party[0], members=party, team=team,
        )  # fmt: skip
        branch.posts.add(checkpoint)
        log_activity(branch, ActivityKind.MEETING, "支部成立大会暨任务部署",
                     _at(arrived, 21))  # fmt: skip
        if n % 2:
            log_activity(branch, ActivityKind.PIONEER_POST, f"{checkpoint.name}设立党员先锋岗",
                         _at(arrived + dt.timedelta(days=1), 8))  # fmt: skip
        if n == 3:
            log_activity(branch, ActivityKind.SHIFT_SWAP, "寒夜卡口党员主动顶班",
                         _at(arrived + dt.timedelta(days=1), 23))  # fmt: skip
