"""special_population_counts: what the zone pages show for special populations, per need,
scoped to the user, in one query."""

import datetime as dt

import pytest

from tongxin.accounts.models import Role, User
from tongxin.care.models import CareNeed, Hospital, NeedKind
from tongxin.care.services import special_population_counts
from tongxin.factories import UserFactory

from .conftest import County, dialysis, resident

pytestmark = pytest.mark.django_db


def test_counts_per_need_under_a_place(
    county: County, hospital: Hospital, chief: User, sunny_grid: User, django_assert_num_queries
) -> None:
    both = resident(county.sunny_101, "甲")
    dialysis(both, hospital)
    CareNeed.objects.create(person=both, kind=NeedKind.ELDERLY_ALONE)
    CareNeed.objects.create(
        person=resident(county.sunny_201, "乙"),
        kind=NeedKind.PREGNANCY,
        due_date=dt.date(2022, 4, 1),
    )
    dialysis(resident(county.happy_101, "丙"), hospital)
    ended = CareNeed.objects.create(person=resident(county.sunny_201, "丁"), kind=NeedKind.INFANT)
    ended.ended_on = dt.date(2022, 3, 1)
    ended.save()
    dialysis(resident(county.river_101, "戊"), hospital)

    with django_assert_num_queries(1):
        township = special_population_counts(county.qinyang, chief)
    assert township == {"血透": 2, "孕产妇": 1, "独居老人": 1}
    assert list(township) == ["血透", "孕产妇", "独居老人"]  # the registry's order of kinds
    assert special_population_counts(county.sunny, chief) == {"血透": 1, "孕产妇": 1, "独居老人": 1}
    assert special_population_counts(county.sunny_101.parent, chief) == {"血透": 1, "独居老人": 1}
    # A unit counts its own estates only; a role without care access counts nothing.
    assert special_population_counts(county.qinyang, sunny_grid) == {
        "血透": 1, "孕产妇": 1, "独居老人": 1,
    }  # fmt: skip
    assert special_population_counts(county.happy, sunny_grid) == {}
    assert special_population_counts(county.qinyang, UserFactory(role=Role.TEST_POINT)) == {}
