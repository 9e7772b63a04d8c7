import pytest

from tongxin.accounts.models import Role, User
from tongxin.factories import UserFactory
from tongxin.incidents.models import Incident
from tongxin.isolation import factories as f
from tongxin.isolation.models import Site


@pytest.fixture
def inc(db: None) -> Incident:
    return f.incident("np-8")


@pytest.fixture
def inc9(db: None) -> Incident:
    return f.incident("np-9", name="2022-07 疫情")


@pytest.fixture
def chief(db: None) -> User:
    return f.planner()


@pytest.fixture
def escort(db: None) -> User:
    return UserFactory(role=Role.TRANSFER, full_name="随车干部", username="escort")


@pytest.fixture
def site_staff(db: None) -> User:
    return UserFactory(role=Role.TRANSFER, full_name="隔离点医生", username="sitedoc")


@pytest.fixture
def site(site_staff: User) -> Site:
    return f.site_with_rooms(lead=site_staff, accessible=1, multi=2)
