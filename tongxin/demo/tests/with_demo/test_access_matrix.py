"""The access matrix on the demo county (issue 9): every URL pattern and API operation (walked
from the URL resolver, so new apps are covered without a change here) × every role × a user of
another unit, with an object outside the user's area for each {id}.

- never a server error;
- never a raw ID number or phone in a body, unless that very request recorded a reveal;
- a unit's user never sees the names of residents outside the unit's area;
- the system administrator never sees a resident's name.
URL patterns that cannot be filled are listed with their reason; the list must stay small.
"""

import re
from typing import Any

import pytest
from django.test import Client

from tongxin.accounts.jurisdiction import jurisdiction_of
from tongxin.accounts.models import Role, User
from tongxin.audit.models import AuditAction, AuditEvent
from tongxin.factories import UserFactory
from tongxin.helpdesk.models import HelpRequest
from tongxin.imports.models import ImportJob, ImportStatus
from tongxin.people.models import Person
from tongxin.security.testing.matrix import SKIPPED_PREFIXES, plan
from tongxin.units.models import UnitAssignment

# Roles bound to their unit's estates. (Support teams work on what is dispatched to them,
# wherever it is; test points on the rounds they serve.)
AREA_ROLES = {Role.UNIT_LEADER, Role.GRID_STAFF}
# Patterns whose objects the demo does not have (directive attachments and unit tasks, help
# request imports): listed by the test with the reason.
MAX_SKIPPED = 5
DIGIT_RUNS = re.compile(r"\d{11,}[Xx]?")


def raw_values() -> set[str]:
    values = set()
    for person in Person.objects.only("document_number", "phone"):
        values.update(v for v in (person.document_number, person.phone) if v)
    return values


def names_outside(user: User, limit: int = 60) -> list[str]:
    visible = Person.objects.visible_to(user) if user.role != Role.SYSADMIN else Person.objects
    inside = set(
        Person.objects.filter(jurisdiction_of(user).q("household__path")).values_list(
            "name", flat=True
        )
    )
    if user.role == Role.SYSADMIN:
        inside = set()
    names = (
        Person.objects.exclude(pk__in=visible.values("pk") if user.role != Role.SYSADMIN else [])
        .exclude(name__in=inside)
        .values_list("name", flat=True)
    )
    # A caller's name on a request the user may see is that request's content, whoever else
    # in the county shares the name.
    # (吴丽 is not a leak when 吴丽华 called.)
    callers = set(HelpRequest.objects.visible_to(user).values_list("caller_name", flat=True))
    kept = {n for n in names if len(n) >= 2 and not any(n in c for c in callers)}
    return sorted(kept)[:limit]


def other_unit_user() -> User:
    mine = User.objects.get(username=Role.UNIT_LEADER).unit_id
    other = (
        UnitAssignment.objects.active().exclude(unit_id=mine).values_list("unit_id", flat=True)
    ).first()
    return UserFactory(username="other_unit_leader", role=Role.UNIT_LEADER, unit_id=other)


def leaks(body: str, raws: set[str]) -> set[str]:
    found = set()
    for run in DIGIT_RUNS.findall(body):
        found.update(r for r in raws if r in run)
    return found


def test_every_url_every_role_out_of_area_objects(demo: Any) -> None:
    raws = raw_values()
    users = [User.objects.get(username=role.value) for role in Role] + [other_unit_user()]
    # The demo has no import job; one by another unit's user stands in for "out of area".
    ImportJob.objects.create(
        created_by=users[-1], original_name="住户.csv", status=ImportStatus.FAILED
    )
    a_request = HelpRequest.objects.order_by("pk").first()
    strings = {
        "field": "phone", "kind": "attachment", "token": "x" * 20, "stage": "board",
        "key": "x" * 20, "ext": "docx", "floor": "1",
    }  # fmt: skip
    problems: list[str] = []
    skipped: dict[str, str] = {}
    requests = 0
    for user in users:
        scoped = user.role in AREA_ROLES
        forbidden_names = names_outside(user) if scoped or user.role == Role.SYSADMIN else []
        name_pattern = (
            re.compile("|".join(map(re.escape, forbidden_names))) if forbidden_names else None
        )
        if a_request is not None:
            visible = HelpRequest.objects.visible_to(user).values("pk")
            outside = HelpRequest.objects.exclude(pk__in=visible).order_by("pk").first()
            strings["number"] = (outside or a_request).number
        the_plan = plan(user, strings)
        skipped.update(the_plan.skipped)
        client = Client(raise_request_exception=False)
        client.force_login(user)
        for filled in the_plan.urls:
            for method in ("get", "post"):
                before = AuditEvent.objects.filter(action=AuditAction.REVEAL).count()
                response = getattr(client, method)(filled.url)
                requests += 1
                where = f"{user.username} {method.upper()} {filled.url} → {response.status_code}"
                if response.status_code >= 500:
                    problems.append(f"server error: {where}")
                    continue
                if getattr(response, "streaming", False):
                    body = b"".join(response.streaming_content).decode("utf-8", "replace")
                else:
                    body = response.content.decode("utf-8", "replace")
                revealed = AuditEvent.objects.filter(action=AuditAction.REVEAL).count() > before
                if not revealed and leaks(body, raws):
                    problems.append(f"raw ID/phone: {where}")
                if name_pattern is not None and response.status_code == 200:
                    match = name_pattern.search(body)
                    if match:
                        problems.append(f"outside resident {match.group(0)}: {where}")
    print(f"{requests} requests; skipped: {skipped}; areas left out: {SKIPPED_PREFIXES}")
    assert problems == [], "\n".join(problems)
    assert len(skipped) <= MAX_SKIPPED, skipped


@pytest.mark.parametrize("role", [Role.SYSADMIN, Role.LAB_LIAISON, Role.SUPPORT_TEAM])
def test_roles_without_the_residents_permission_list_nobody(demo: Any, role: Role) -> None:
    client = Client()
    client.force_login(User.objects.get(username=role.value))
    assert client.get("/residents/").status_code == 403
    assert client.get("/api/v1/residents/").json()["count"] == 0
