"""协查: a contact from another county goes out on that county's sheet and comes back in as a
contact matched to the receiver's registry."""

import io

import openpyxl

from tongxin.audit.models import AuditEvent
from tongxin.factories import PersonFactory, household, make_id_number
from tongxin.incidents.services import open_incident
from tongxin.tracing.factories import VenueFactory, checkin
from tongxin.tracing.models import Contact, ContactStatus, Level, OutsidePerson
from tongxin.tracing.services import confirm_contacts
from tongxin.tracing.services.assist import export_workbook, import_assist
from tongxin.tracing.services.derive import derive_for_case

from .conftest import local, make_case


def test_export_per_receiving_county_then_import_there(world):
    visitor_id = make_id_number(region="330802")
    visitor = OutsidePerson.objects.create(
        incident=world.incident, name="柯城访客", document_number=visitor_id, phone="13800001111"
    )
    venue = VenueFactory()
    patient = world.one("1801")
    checkin(world.incident, venue, patient, local(9, 10), 60)
    checkin(world.incident, venue, visitor, local(9, 10), 60)
    case = make_case(world, patient)
    confirm_contacts(derive_for_case(case), world.users["investigator"])

    data, rows = export_workbook(world.incident)
    assert rows == 1  # residents of this county are managed here, not sent away
    book = openpyxl.load_workbook(io.BytesIO(data))
    assert book.sheetnames == ["协查330802"]
    values = [c for row in book.active.iter_rows(values_only=True) for c in row if c]
    assert visitor_id in values and "密接" in values
    text = " ".join(str(v) for v in values)
    assert "病例" not in text and patient.name not in text and patient.document_number not in text
    assert AuditEvent.objects.filter(action="export", target_type="tracing.assist").exists()

    # The receiving county: the visitor is in its registry.
    home = household("荷花小区", "2", "502", township="府山街道", community="荷花社区")
    resident = PersonFactory(name="柯城访客", document_number=visitor_id, household=home)
    theirs = open_incident("柯城区疫情", world.incident.policy_edition, local(1))
    summary = import_assist(theirs, data, "协查.xlsx", "开化县")
    assert (summary.rows, summary.matched, summary.added) == (1, 1, 1)
    c = Contact.objects.get(incident=theirs)
    assert c.management.person == resident
    assert c.level == Level.CLOSE and c.status == ContactStatus.CANDIDATE
    assert c.last_exposure == local(9, 11)
    assert c.external_source == "开化县协查"
    again = import_assist(theirs, data, "协查.xlsx", "开化县")
    assert again.added == 0
    assert Contact.objects.filter(incident=theirs).count() == 1


def test_unknown_people_in_an_incoming_list_are_kept(world):
    stranger = make_id_number(region="330881")
    book = openpyxl.Workbook()
    book.active.append(["姓名", "证件号码", "人员类别", "末次接触时间"])
    book.active.append(["外地密接", stranger, "次密接", "2022-03-10 18:00"])
    book.active.append(["坏行", "123", "密接", "2022-03-10 18:00"])
    buf = io.BytesIO()
    book.save(buf)
    summary = import_assist(world.incident, buf.getvalue(), "in.xlsx", "江山市")
    assert (summary.outside, summary.added, summary.rejected) == (1, 1, 1)
    c = Contact.objects.get(incident=world.incident)
    assert c.management.outside_person.document_number == stranger
    assert c.level == Level.SECONDARY
