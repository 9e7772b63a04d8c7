"""A 12345 export's "2022年3月7日 16:09" is a time like "2022/3/7 16:09"; a registered resident
who names only the estate is placed at their household, so the building's cadre, the zone and
the household duplicate check apply."""

import datetime as dt
from typing import Any

import pytest

from tongxin.helpdesk.services import registry
from tongxin.helpdesk.services.imports import _time, import_requests

from .conftest import PHONE, T0, Town, ask
from .test_import_per_row_errors import row, xlsx

pytestmark = pytest.mark.django_db

LOCAL = dt.timezone(dt.timedelta(hours=8))


@pytest.mark.parametrize(
    "text",
    ["2022年3月7日 16:09", "2022年3月7日16:09", "2022年3月7日16时09分", "2022/3/7 16:09",
     "2022年03月07日  16:09:00", "２０２２年３月７日 １６:０９"],
)  # fmt: skip
def test_chinese_dates_parse(text: str) -> None:
    assert _time(text) == dt.datetime(2022, 3, 7, 16, 9, tzinfo=LOCAL)


def test_an_export_with_chinese_dates_is_taken_in(town: Town, desk: Any) -> None:
    data = [row("12345-101", "2022年3月7日 16:09", "13912345678", "王女士", "家里没菜了")]
    job = import_requests(xlsx(data), "12345.xlsx", channel="12345", source_label="12345",
                          user=desk)  # fmt: skip
    assert (job.created, job.rejected) == (1, 0), job.problems


def test_a_resident_naming_only_the_estate_is_placed_at_home(town: Town) -> None:
    request = ask("需要配降压药", PHONE, at=T0, place=town.estate, caller_name="陈阿婆")
    assert request.person == town.resident
    assert request.place == town.h101
    assert registry.responsible_for(request.place).cadres  # the building's cadre is found


def test_the_household_duplicate_check_applies(town: Town) -> None:
    first = ask("母亲需要配降压药", "13512345678", at=T0, place=town.h101)
    second = ask("降压药快吃完了", PHONE, at=T0 + dt.timedelta(minutes=5), place=town.estate)
    assert second.place == town.h101
    assert second.suspected_duplicate_of == first


def test_an_estate_elsewhere_is_kept_as_given(town: Town) -> None:
    from tongxin.places.models import Place, PlaceKind

    other_estate = Place.objects.get(kind=PlaceKind.ESTATE, name="幸福小区")
    request = ask("帮邻居问一下", PHONE, at=T0, place=other_estate)
    assert request.place == other_estate


def test_an_import_row_with_only_the_estate_finds_the_household(town: Town, desk: Any) -> None:
    data = [row("12345-102", "2022年3月7日 16:09", PHONE, "陈阿婆", "需要买药", estate="阳光小区")]
    import_requests(xlsx(data), "12345.xlsx", channel="12345", source_label="12345", user=desk)
    from tongxin.helpdesk.models import HelpRequest

    assert HelpRequest.objects.get(external_ref="12345-102").place == town.h101
