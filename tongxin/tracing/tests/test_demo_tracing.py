"""The demo incident has cases, venues, check-ins and contacts at every level; loading it
again adds nothing."""

from tongxin.accounts.models import Role
from tongxin.factories import PersonFactory, UserFactory, household
from tongxin.tracing.demo import load_demo_tracing
from tongxin.tracing.models import Case, CheckIn, Contact, Management, ManagementStatus

from .conftest import local


def test_demo_tracing_has_every_level_and_is_idempotent(world):
    for floor in range(1, 11):
        for room in ("01", "02"):
            home = household("锦绣花园", "3", f"{floor}{room}", stairwell="1")
            PersonFactory.create_batch(2, household=home)
    UserFactory(username="investigator2", role=Role.INVESTIGATOR)
    now = local(12, 15)
    summary = load_demo_tracing(world.incident, now)
    assert summary["created"] is True
    assert summary["cases"] == 3
    assert summary["venues"] >= 6 and summary["check_ins"] > 20
    assert all(
        summary["contacts"][lv] > 0 for lv in ("close", "secondary", "companion", "general")
    ), summary["contacts"]
    assert summary["candidates"] > 0  # some still wait for an investigator
    assert Management.objects.filter(status=ManagementStatus.ISOLATED).exists()
    assert Management.objects.filter(status=ManagementStatus.BECAME_CASE).exists()
    assert Case.objects.filter(source_case__isnull=False).exists()
    counts = (Case.objects.count(), CheckIn.objects.count(), Contact.objects.count())
    again = load_demo_tracing(world.incident, now)
    assert again["created"] is False
    assert (Case.objects.count(), CheckIn.objects.count(), Contact.objects.count()) == counts
