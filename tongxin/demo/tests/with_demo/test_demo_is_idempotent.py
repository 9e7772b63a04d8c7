"""Running the demo again changes nothing and creates nothing twice."""

from typing import Any

from tongxin.accounts.models import User
from tongxin.audit.models import AuditEvent
from tongxin.demo.tests.conftest import load_demo
from tongxin.factories import UnitFactory, UserFactory
from tongxin.incidents.models import Incident
from tongxin.people.models import Person
from tongxin.places.models import Place
from tongxin.units.models import BuildingAssignment, GridRole, Unit, UnitAssignment

MODELS = (
    Place,
    Unit,
    UnitAssignment,
    GridRole,
    BuildingAssignment,
    User,
    Person,
    Incident,
    AuditEvent,
)


def _snapshot() -> dict[str, Any]:
    return {
        "counts": {m.__name__: m.objects.count() for m in MODELS},
        "people": list(
            Person.objects.order_by("pk").values_list(
                "pk", "name", "document_bidx", "phone_bidx", "household_id", "residence_status",
                "updated_at",
            )
        ),
        "users": list(User.objects.order_by("pk").values_list("pk", "password", "unit_id")),
        "places": list(Place.objects.order_by("pk").values_list("pk", "path", "numchild")),
    }  # fmt: skip


def test_a_second_run_changes_nothing(demo: Any) -> None:
    before = _snapshot()
    output = load_demo()
    assert _snapshot() == before
    assert "没有任何改动" in output


def test_a_demo_database_keeps_what_people_added_while_trying_it(demo: Any) -> None:
    UserFactory(username="someone")
    UnitFactory(name="演示时新增的单位")
    before = _snapshot()
    load_demo()
    assert _snapshot() == before
