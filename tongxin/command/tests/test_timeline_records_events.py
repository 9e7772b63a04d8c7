"""The timeline (大事记) records zone designations and liftings, rounds started and finished,
positives, directives issued and notices published by itself, plus entries by hand; the
report quotes the day's entries; notices are numbered 第N号 when published, as pages."""

import datetime as dt

from django.test import Client

from tongxin.command.factories import local
from tongxin.command.models import EntryKind, TimelineEntry
from tongxin.command.services import notices, reports, timeline
from tongxin.testing.models import RoundStatus, TestRound
from tongxin.zones.services import designate_zone, lift_zone, record_positive


def _kinds(incident):
    return list(TimelineEntry.objects.filter(incident=incident).values_list("kind", "text"))


def test_events_are_recorded_once(world):
    incident = world.incident
    zone = designate_zone(world.sunshine, "controlled", incident, at=local(7, 2), reason="发现阳性")
    lift_zone(zone, local(7, 20), "连续无新增")
    record_positive(incident, world.homes["sun"], local(7, 1))
    test_round = TestRound.objects.create(
        incident=incident, name="第一轮全员核酸", starts_at=local(7, 6), deadline=local(7, 18)
    )
    test_round.status = RoundStatus.ACTIVE
    test_round.save()
    test_round.status = RoundStatus.CLOSED
    test_round.save()
    entries = _kinds(incident)
    assert (EntryKind.ZONE_DESIGNATED, "阳光小区划定为管控区") in entries
    assert (EntryKind.ZONE_LIFTED, "阳光小区解除管控区") in entries
    assert (EntryKind.POSITIVE, "阳光小区发现阳性1例") in entries
    assert (EntryKind.ROUND_STARTED, "第一轮全员核酸开始采样") in entries
    assert (EntryKind.ROUND_FINISHED, "第一轮全员核酸结束") in entries
    # Scanning the modules again adds nothing.
    assert timeline.record_from_modules(incident) == 0
    assert len(_kinds(incident)) == len(entries)


def test_report_quotes_the_days_entries(world):
    incident = world.incident
    timeline.add_manual(incident, local(7, 8), "县指挥部召开第一次会议", world.users["command"])
    timeline.add_manual(incident, local(8, 8), "第二天的会议", world.users["command"])
    report = reports.generate(incident, local(7).date(), now=local(8, 1))
    texts = [e["text"] for e in report.snapshot["timeline"]]
    assert texts == ["县指挥部召开第一次会议"]


def test_notices_numbered_on_publishing_and_public(world):
    incident = world.incident
    first = notices.draft(incident, world.users["command"], "关于全员核酸检测的通告", "全体居民……")
    second = notices.draft(incident, world.users["command"], "关于划定管控区的通告", "……")
    second = notices.publish(second, world.users["command"])
    first = notices.publish(first, world.users["command"])
    assert (second.number, first.number) == (1, 2)
    assert notices.publish(first, world.users["command"]).number == 2  # once
    page = Client().get(f"/notices/{incident.pk}/1/")
    assert page.status_code == 200
    assert "关于划定管控区的通告" in page.content.decode() and "第1号" in page.content.decode()
    assert any(k == EntryKind.NOTICE for k, _t in _kinds(incident))
    assert first.published_at - second.published_at < dt.timedelta(minutes=1)
