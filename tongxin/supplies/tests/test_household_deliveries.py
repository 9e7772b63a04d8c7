import pytest

from tongxin.factories import PersonFactory, household
from tongxin.people.models import ResidenceStatus
from tongxin.supplies.factories import item
from tongxin.supplies.models import HouseholdDelivery
from tongxin.supplies.services import SuppliesError
from tongxin.supplies.services.deliveries import delivery_list, generate_round, mark_delivered
from tongxin.zones.services import designate_zone

from .conftest import local

pytestmark = pytest.mark.django_db


def _estate():
    """阳光小区: 1幢 (101 with four people, 102 with one, 103 empty, 104 away), 2幢201."""
    h = {r: household("阳光小区", "1", r, stairwell="1") for r in ("101", "102", "103", "104")}
    h201 = household("阳光小区", "2", "201")
    for _ in range(4):
        PersonFactory(household=h["101"])
    PersonFactory(household=h["102"], residence_status=ResidenceStatus.TEMPORARY)
    PersonFactory(household=h["104"], residence_status=ResidenceStatus.AWAY)
    PersonFactory(household=h201)
    return h["101"].parent.parent.parent, h, h201


def test_the_list_comes_from_the_registry_and_the_zone(incident, chief) -> None:
    estate, h, _h201 = _estate()
    veg = item("蔬菜包", category="living", unit_label="份")
    with pytest.raises(SuppliesError, match="没有封控或管控"):
        generate_round(incident, estate, veg, local(7).date(), at=local(7))
    # Only building 1 is sealed, inside an estate that is not.
    designate_zone(h["101"].parent.parent, "sealed", incident, at=local(6), reason="阳性",
                   decided_by=chief)  # fmt: skip
    round_ = generate_round(incident, estate, veg, local(7).date(), at=local(7))
    data = delivery_list(round_)
    [b1] = data["buildings"]
    assert b1["building"] == "1幢"
    # Four people need two packages at three per package; the empty and the away household
    # get none; 2幢 is outside the sealed building.
    assert [(x["household"], x["stairwell"], x["packages"]) for x in b1["households"]] == [
        ("101室", "1单元", 2),
        ("102室", "1单元", 1),
    ]
    assert data["totals"] == {
        "households": 2, "households_delivered": 0, "packages": 3, "delivered_packages": 0,
    }  # fmt: skip
    # Generating again adds nothing.
    generate_round(incident, estate, veg, local(7).date(), at=local(7))
    assert HouseholdDelivery.objects.count() == 2


def test_marking_a_doorstep_is_idempotent(incident, chief) -> None:
    estate, h, _h201 = _estate()
    designate_zone(estate, "controlled", incident, at=local(6), reason="管控", decided_by=chief)
    round_ = generate_round(incident, estate, item("蔬菜包"), local(7).date(), at=local(7))
    delivery = round_.deliveries.get(household=h["101"])
    first = mark_delivered(delivery, chief, client_id="phone-1", at=local(7, 9))
    again = mark_delivered(delivery, chief, client_id="phone-1", at=local(7, 9, 5))
    assert not first.repeated and again.repeated
    delivery.refresh_from_db()
    assert delivery.delivered_at == local(7, 9)
    totals = delivery_list(round_)["totals"]
    assert (totals["households_delivered"], totals["delivered_packages"]) == (1, 2)
