import pytest

from tongxin.incidents.models import PolicyEdition
from tongxin.tracing.models import Level, Management, ManagementStatus
from tongxin.tracing.services import (
    DueForIsolation,
    TracingError,
    confirm_contacts,
    contacts_due_for_isolation,
    mark_isolated,
)
from tongxin.tracing.services.derive import derive_for_case

from .conftest import local, make_case


def _derive_and_confirm(world):
    case = make_case(world, world.one("1801"))
    contacts = derive_for_case(case)
    confirm_contacts(contacts, world.users["investigator"])
    return case


def test_confirmed_close_and_secondary_contacts_due_on_np8(world):
    _derive_and_confirm(world)
    due = contacts_due_for_isolation(world.incident)
    by_person = {d.person_id: d for d in due}
    li = world.one("1801", 1)
    assert by_person[li.pk].level == "close"
    assert by_person[world.one("1802").pk].level == "secondary"  # np-8: 7 days centralized
    d = by_person[li.pk]
    assert isinstance(d, DueForIsolation)
    assert d.household_id == world.homes["1801"].pk
    assert d.edition_code == "np-8"
    assert d.last_exposure == local(11, 9)
    assert d.outside_person_id is None
    # The reason tells how, never who: no case number, no name.
    assert "病例" not in d.reason and world.one("1801").name not in d.reason
    assert "共同居住" in d.reason


def test_secondary_contacts_on_np9_stay_home_and_are_not_due(world):
    world.incident.policy_edition = PolicyEdition.objects.get(code="np-9")
    world.incident.save()
    _derive_and_confirm(world)
    levels = {d.level for d in contacts_due_for_isolation(world.incident)}
    assert levels == {"close"}
    secondary = Management.objects.get(person=world.one("1802"))
    assert secondary.level == Level.SECONDARY and secondary.status == ManagementStatus.HOME


def test_candidates_are_never_due(world):
    derive_for_case(make_case(world, world.one("1801")))
    assert contacts_due_for_isolation(world.incident) == []


def test_marked_isolated_leaves_the_list(world):
    _derive_and_confirm(world)
    first = contacts_due_for_isolation(world.incident)[0]
    mark_isolated(first.management_id, local(12, 1))
    assert first.management_id not in {
        d.management_id for d in contacts_due_for_isolation(world.incident)
    }
    m = Management.objects.get(pk=first.management_id)
    assert m.status == ManagementStatus.ISOLATED and m.isolated_at == local(12, 1)


def test_a_candidate_cannot_be_marked_isolated(world):
    contacts = derive_for_case(make_case(world, world.one("1801")))
    with pytest.raises(TracingError):
        mark_isolated(contacts[0].management_id, local(12, 1))
