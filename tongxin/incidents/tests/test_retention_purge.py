"""A whole incident closed and purged: nothing left that leads back to the people in it.

Rounds, pooled samples, a positive pool and its recall, a single-tube positive, a help
request naming its caller, a green-channel run with its passenger, reveals in the audit
trail. After the purge, no table (other than the permanent residents and care registries
themselves and the audit events about those registries), and no uploaded file holds the
people's names, masked forms or blind indexes, nor a link to them; the figures still answer.
(The development SMS backend's outbox file is not a production store and is not scanned.)
"""

import datetime as dt
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management import call_command
from django.db import connection
from django.test import TestCase

from tongxin.audit.services import record_reveal
from tongxin.care.models import CareNeed, GreenRun, Hospital, NeedKind, RunPassenger
from tongxin.helpdesk.models import HelpRequest
from tongxin.helpdesk.services.intake import Intake, receive
from tongxin.helpdesk.services.stats import compute
from tongxin.incidents.retention import purge
from tongxin.incidents.services import close_incident
from tongxin.people.models import Person
from tongxin.sampling.models import (
    PositivePerson,
    Recall,
    RecallMember,
    RoundHousehold,
    SampledPerson,
    SampleEvent,
    TemporaryControl,
    Tube,
)
from tongxin.sampling.services.results import import_result_rows
from tongxin.sampling.tests.conftest import event, local, upload, world  # noqa: F401

# The permanent registries: residents (people) and special-population needs (care, with its
# own retention rule), and the audit trail of changes to them.
REGISTRY_TABLES = {"people_person", "care_careneed"}
REGISTRY_TARGETS = ("people.person", "care.careneed")


def result(barcode: str, word: str, hour: int, minute: int = 0) -> dict[str, Any]:
    return {"barcode": barcode, "result": word, "lab": "县疾控中心",
            "reported_at": local(6, hour, minute).isoformat()}  # fmt: skip


def _rows(table: str) -> list[tuple[Any, ...]]:
    quoted = connection.ops.quote_name(table)
    with connection.cursor() as cursor:
        if table == "audit_auditevent":
            cursor.execute(
                f"SELECT * FROM {quoted} WHERE target_type NOT IN (%s, %s)",  # noqa: S608
                list(REGISTRY_TARGETS),
            )
        else:
            cursor.execute(f"SELECT * FROM {quoted}")  # noqa: S608
        return list(cursor.fetchall())


def traces(needles: set[str]) -> dict[str, set[str]]:
    """Which tables (and files) still contain any of the needles."""
    found: dict[str, set[str]] = {}
    for table in connection.introspection.table_names():
        if table in REGISTRY_TABLES:
            continue
        text = "\n".join(" ".join(str(v) for v in row) for row in _rows(table))
        hits = {n for n in needles if n and n in text}
        if hits:
            found[table] = hits
    for path in Path(settings.MEDIA_ROOT).rglob("*"):
        if path.is_file():
            data = path.read_bytes().decode("utf-8", "ignore")
            hits = {n for n in needles if n and n in data}
            if hits:
                found[str(path)] = hits
    return found


def person_links(ids: set[int]) -> dict[str, int]:
    """Rows outside the registries that still point at one of these people."""
    from django.apps import apps

    links: dict[str, int] = {}
    for model in apps.get_models():
        if model._meta.db_table in REGISTRY_TABLES:
            continue
        for f in model._meta.get_fields():
            linked = getattr(f, "many_to_one", False) or getattr(f, "one_to_one", False)
            if linked and f.concrete and f.related_model is Person:
                n = model._base_manager.filter(**{f"{f.name}__in": ids}).count()
                if n:
                    links[f"{model._meta.label}.{f.name}"] = n
    return links


def test_a_closed_incident_is_purged_and_its_figures_survive(
    world: Any,  # noqa: F811
    upload: Any,  # noqa: F811
    django_capture_on_commit_callbacks: Any,
    capsys: Any,
) -> None:
    incident = world.incident
    zhang, li = world.people["s1-101"]
    wang = world.people["s1-102"][0]
    zhao = world.people["s2-201"][0]
    upload([event(p, "POOL-A", at=local(6, 8, i)) for i, p in enumerate([zhang, li, wang])])
    upload([event(zhao, "POOL-B", at=local(6, 9))])
    with django_capture_on_commit_callbacks(execute=True):
        import_result_rows(
            [result("POOL-A", "阳性", 20), result("POOL-B", "阴性", 20)], now=local(6, 20, 5)
        )
    recall = Recall.objects.get()
    for i, person in enumerate([zhang, li, wang]):
        task = recall.members.get(person=person).task
        upload(
            [event(person, f"RE-{i}", at=local(6, 22, i), door_task=task.pk)],
            tube_mode="single", now=local(6, 23),
        )  # fmt: skip
    with django_capture_on_commit_callbacks(execute=True):
        import_result_rows([result("RE-0", "阳性", 23, 40)], now=local(6, 23, 41))
    assert PositivePerson.objects.filter(person=zhang).exists()

    chief = world.users["command"]
    with TestCase.captureOnCommitCallbacks(execute=True):
        request = receive(
            Intake(
                text=f"{zhang.name}家里没菜了，孩子两个，电话{zhang.phone}",
                phone="13912345678",
                caller_name=zhang.name,
                person=zhang,
                place=zhang.household,
                address="阳光小区1幢101",
                incident=incident,
            ),
            by=chief,
            now=local(6, 12),
        ).request
    record_reveal(request, "phone")
    hospital = Hospital.objects.create(name="县人民医院")
    need = CareNeed.objects.create(person=zhao, kind=NeedKind.DIALYSIS, hospital=hospital,
                                   weekdays="135", session_time=dt.time(8))  # fmt: skip
    run = GreenRun.objects.create(incident=incident, township=world.sunny.parent.parent,
                                  hospital=hospital, date=dt.date(2022, 3, 7))  # fmt: skip
    RunPassenger.objects.create(run=run, need=need, person=zhao)

    people = [zhang, li, wang, zhao]
    ids = {p.pk for p in people}
    needles = {p.name for p in people} | {p.document_masked for p in people}
    needles |= {p.document_bidx for p in people} | {p.phone_bidx for p in people if p.phone}
    needles |= {p.phone_masked for p in people if p.phone}
    needles |= {request.phone_bidx, request.phone_masked, "阳光小区1幢101"}
    before = traces(needles)
    assert "sampling_sampleevent" not in before  # events link by id, not by name
    assert "helpdesk_helprequest" in before and "audit_auditevent" in before
    assert person_links(ids)

    round_figures = list(
        RoundHousehold.objects.filter(round=world.round)
        .order_by("household_id")
        .values_list("household_id", "expected", "sampled", "result_known")
    )
    window = (local(5), local(8))
    help_before = compute(*window, incident=incident, now=local(8))

    close_incident(incident, ended_at=local(10))
    incident.refresh_from_db()
    not_yet = purge(today=incident.purge_due_on - dt.timedelta(days=1))
    assert not_yet.incidents == [] and not_yet.pending[0]["id"] == incident.pk

    dry = purge(dry_run=True, today=incident.purge_due_on)
    assert dry.counts["sampling.sample_events"] == SampleEvent.objects.count() > 0
    assert dry.counts["sampling.recall_members"] == 3
    assert dry.counts["helpdesk.help_requests"] == 1
    assert dry.counts["care.run_passengers"] == 1
    assert "care.needs_due_review" in dry.standing
    assert SampleEvent.objects.exists() and traces(needles) == before  # nothing changed

    done = purge(today=incident.purge_due_on)
    assert done.counts == dry.counts

    # Nothing leads back to the people any more.
    assert person_links(ids) == {}
    assert traces(needles) == {}
    for model in (SampleEvent, SampledPerson, RecallMember, TemporaryControl, PositivePerson,
                  RunPassenger):  # fmt: skip
        assert not model.objects.exists(), model
    # The registries are permanent: the residents and the care need are still there.
    assert Person.objects.filter(pk__in=ids).count() == 4
    assert CareNeed.objects.filter(pk=need.pk).exists()
    # The audit trail keeps the fact of the reveal, not whose phone it was.
    reveal = request.__class__.objects.get(pk=request.pk)
    assert reveal.caller_name == "" and reveal.person_id is None

    # The figures still answer.
    assert (
        list(
            RoundHousehold.objects.filter(round=world.round)
            .order_by("household_id")
            .values_list("household_id", "expected", "sampled", "result_known")
        )
        == round_figures
    )
    assert Tube.objects.filter(result="positive").count() == 2
    assert Recall.objects.count() == 1 and GreenRun.objects.count() == 1
    help_after = compute(*window, incident=incident, now=local(8))
    assert help_after == help_before
    assert HelpRequest.objects.filter(incident=incident).count() == 1

    # Safe to run again: nothing left to do, and the command says so in JSON.
    call_command("retention", "purge", "--json")
    assert '"helpdesk.help_requests": 0' in capsys.readouterr().out
    again = purge(today=incident.purge_due_on)
    assert not any(again.counts.values())
