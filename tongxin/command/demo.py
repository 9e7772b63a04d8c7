"""The demo incident's command picture: three days of daily reports built from the demo's
own data, the timeline and two public notices.

The incident runs from a fixed evening (the report's: 6 March 2022, 21时), and the reports
are its first three days, 第1–3期 截至3月7日/8日/9日24时: the help desk's and the zones'
history is placed on those days (by the evening of day 3 about 880 requests received and
840 closed), while what is "now" on the live pages (today's shifts, the current round, the
desk's open queue) is placed relative to the moment the demo is loaded and shows on the live
picture, not in these reports. 第1期 and 第2期 issued, 第3期 written and awaiting review.
Idempotent: a second run finds the reports and adds nothing. Texts are data, not translated.
"""

import datetime as dt
from typing import Any

from django.db import transaction
from django.utils import timezone

from tongxin.accounts.models import Role, User
from tongxin.command.models import DailyReport, EntryKind, Notice, TimelineEntry
from tongxin.command.services import notices, reports, timeline
from tongxin.incidents.models import Incident

KEY_WORK = (
    "县疫情防控指挥部连夜成立，划定封控区、管控区和防范区；开通求助平台；部署第一轮全员核酸检测。",
    "完成第一轮全员核酸采样；各包干单位分片包楼，逐户提醒；求助平台受理的买菜、配药、透析出行等诉求逐件转办。",
    "开展第二轮全员核酸检测；血透患者专车接送、孕产妇绿色通道运行；继续做好封控区上门采样和物资保障。",
)
NEXT_STEPS = (
    "连夜完成采样点布设，确保24小时内完成全员核酸采样。",
    "加快检测结果反馈，混管阳性逐人复核单采。",
    "严格落实封控管控措施，持续做好求助平台办理和回访。",
)
MANUAL = (
    (0, "县疫情防控指挥部成立，实行扁平化指挥"),
    (1, "县求助平台开通，24小时值守"),
)


def _reviewer() -> User:
    user, _created = User.objects.get_or_create(
        username="command_deputy",
        defaults={"role": Role.COMMAND_POST, "full_name": "副指挥长", "is_active": True},
    )
    if _created:
        user.set_unusable_password()
        user.save()
    return user


def report_days(incident: Incident) -> list[dt.date]:
    """The incident's first three whole days (it starts in the evening)."""
    first = timezone.localtime(incident.started_at).date()
    return [first + dt.timedelta(days=i) for i in (1, 2, 3)]


def load_demo_command(incident: Incident, now: dt.datetime) -> dict[str, Any]:
    if DailyReport.objects.filter(incident=incident).exists() or not incident.is_open:
        return {"created": 0, "reports": DailyReport.objects.filter(incident=incident).count()}
    chief = User.objects.get(username=str(Role.COMMAND_POST))
    deputy = _reviewer()
    days = report_days(incident)
    if reports.cutoff_for(incident, days[-1]) > now:
        return {"created": 0, "reports": 0}
    with transaction.atomic():
        settings = reports.settings_for(incident)
        settings.cutoff_hour, settings.cutoff_minute = 0, 0  # 24时
        settings.issuer = "县疫情防控工作领导小组办公室"
        settings.save()
        first_cutoff = reports.cutoff_for(incident, days[0])
        for offset, text in MANUAL:
            TimelineEntry.objects.create(
                incident=incident,
                at=incident.started_at + dt.timedelta(minutes=40 + offset * 50),
                kind=EntryKind.MANUAL,
                text=text,
                created_by=chief,
            )
        drafted = [
            Notice.objects.create(
                incident=incident,
                title="关于开展全县全员核酸检测的通告",
                body="全县范围内开展全员核酸检测。请广大居民按照所在楼栋的错峰时段，"
                "佩戴口罩、保持间距，就近到指定采样点采样。封控区居民由工作人员上门采样。",
                issuer="县疫情防控工作领导小组办公室",
                created_by=chief,
            ),
            Notice.objects.create(
                incident=incident,
                title="关于开通疫情防控求助平台的通告",
                body="县疫情防控求助平台即日起开通，24小时受理群众买菜、就医、配药、出行等求助。",
                issuer="县疫情防控工作领导小组办公室",
                created_by=chief,
            ),
        ]
        for i, notice in enumerate(drafted):
            notices.publish(notice, chief, now=first_cutoff - dt.timedelta(hours=20 - i * 3))
        timeline.record_from_modules(incident, now)
        made = []
        for i, day in enumerate(days):
            report = reports.generate(incident, day, user=chief, now=now)
            report = reports.edit(
                report, chief, {"key_work": KEY_WORK[i], "next_steps": NEXT_STEPS[i]}
            )
            if i < 2:
                report = reports.review(report, deputy)
                report = reports.issue(report, chief, send=False)
            made.append(report)
    return {"created": len(made), "reports": len(made)}
