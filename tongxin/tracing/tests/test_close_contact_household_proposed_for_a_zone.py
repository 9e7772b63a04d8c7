"""A confirmed 密接's household is proposed to the zone team (edition data says for which
levels and which zone kind): a proposal they decide on, never a designation, and it never
says who the case is."""

from django.test import Client
from django.urls import reverse

from tongxin.tracing.services import confirm_contacts
from tongxin.tracing.services.derive import derive_for_case
from tongxin.zones.models import DesignationProposal, ProposalStatus, ZoneDesignation

from .conftest import local, make_case


def _confirmed(world):
    patient = world.one("1801")
    case = make_case(world, patient)
    confirm_contacts(derive_for_case(case), world.users["investigator"], at=local(11, 10))
    return case, patient


def test_the_close_contacts_household_is_proposed_not_designated(world):
    _confirmed(world)
    proposal = DesignationProposal.objects.get()
    # 李梅 and 张小三 (密接, co-residents) live in 1801; the 次密接 floors above and below are
    # not proposed (the edition names 密接 only).
    assert proposal.place == world.homes["1801"]
    assert (proposal.kind, proposal.status, proposal.source) == ("controlled", "pending", "tracing")
    assert proposal.reason == "密接所在户"
    assert not ZoneDesignation.objects.exists()


def test_the_edition_decides_which_levels_and_zone_kind(world):
    edition = world.incident.policy_edition
    edition.rules["tracing"]["contact_household_zone"] = {"levels": [], "kind": "controlled"}
    edition.save()
    _confirmed(world)
    assert not DesignationProposal.objects.exists()


def test_the_zone_team_sees_the_reason_without_the_case_and_decides(world):
    case, patient = _confirmed(world)
    client = Client()
    client.force_login(world.users["command"])
    page = client.get(reverse("zones:list"), {"incident": world.incident.pk})
    body = page.content.decode()
    assert page.status_code == 200
    assert "密接所在户" in body and "管控区" in body
    for text in (case.label, patient.name, patient.document_masked):
        assert text not in body
    proposal = DesignationProposal.objects.get()
    response = client.post(reverse("zones:accept_designation", args=[proposal.pk]))
    zone = ZoneDesignation.objects.get()
    assert response.status_code == 302
    assert (zone.place, zone.kind, zone.reason) == (world.homes["1801"], "controlled", "密接所在户")
    proposal.refresh_from_db()
    assert (proposal.status, proposal.designation) == (ProposalStatus.ACCEPTED, zone)
    # Deciding twice is refused; a later 密接 in the zoned household proposes nothing new.
    again = client.post(reverse("zones:accept_designation", args=[proposal.pk]))
    assert again.status_code == 302 and ZoneDesignation.objects.count() == 1
    confirm_contacts(derive_for_case(make_case(world, world.one("1801", 1))), None)
    assert DesignationProposal.objects.count() == 1


def test_a_grid_outside_the_household_cannot_decide_it(world):
    _confirmed(world)
    proposal = DesignationProposal.objects.get()
    client = Client()
    client.force_login(world.users["grid_b"])
    response = client.post(reverse("zones:dismiss_designation", args=[proposal.pk]))
    assert response.status_code in (403, 404)
    proposal.refresh_from_db()
    assert proposal.status == ProposalStatus.PENDING


def test_the_proposals_are_purged_with_the_incidents_personal_data(world):
    from tongxin.zones.retention import purge

    _confirmed(world)
    assert purge(world.incident, dry_run=True)["designation_proposals"] == 1
    assert DesignationProposal.objects.count() == 1
    purge(world.incident, dry_run=False)
    assert not DesignationProposal.objects.exists()
