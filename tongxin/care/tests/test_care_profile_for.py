"""care_profile_for: what the help desk shows beside a request from a registered person."""

import datetime as dt

import pytest

from tongxin.accounts.models import User
from tongxin.audit.context import Actor, acting_as
from tongxin.audit.models import AuditEvent
from tongxin.care.models import CareNeed, Hospital, NeedKind
from tongxin.care.services import (
    NO_TEST_REQUIRED_NOTICE,
    CareProfile,
    care_profile_for,
    care_tags_for,
)

from .conftest import County, dialysis, resident

pytestmark = pytest.mark.django_db


def test_a_dialysis_patient_living_alone_reads_as_one_line(
    county: County, hospital: Hospital, chief: User
) -> None:
    person = resident(county.sunny_101, "王大爷")
    need = dialysis(person, hospital, "531", dt.time(7, 30))
    CareNeed.objects.create(person=person, kind=NeedKind.ELDERLY_ALONE)

    with acting_as(Actor(user=chief, label=chief.username, channel="web")):
        profile = care_profile_for(person)

    assert isinstance(profile, CareProfile)
    assert profile.person_id == person.pk
    assert profile.tags == ["血透", "独居老人"]
    assert profile.summary == "血透：县人民医院，周一/三/五 07:30；独居老人"
    assert [n.kind for n in profile.needs] == ["dialysis", "elderly_alone"]
    assert profile.needs[0] == need
    assert profile.url == f"/care/people/{person.pk}/"
    # Opening the profile is a view of health data, recorded under the acting user.
    views = AuditEvent.objects.filter(action="view", target_type="care.careneed", actor=chief)
    assert sorted(int(e.target_id) for e in views) == sorted(n.pk for n in profile.needs)


def test_pregnancy_and_chronic_medicine_summaries(county: County, hospital: Hospital) -> None:
    person = resident(county.sunny_201, "李女士")
    CareNeed.objects.create(
        person=person, kind=NeedKind.PREGNANCY, due_date=dt.date(2022, 3, 20), hospital=hospital
    )
    CareNeed.objects.create(
        person=person, kind=NeedKind.CHRONIC, medicine="胰岛素", frequency="每周取药一次"
    )
    profile = care_profile_for(person, audit=False)
    assert profile is not None
    assert profile.tags == ["慢病用药", "孕产妇"]
    assert (
        profile.summary == "慢病用药：胰岛素，每周取药一次；孕产妇：预产期 2022-03-20，县人民医院"
    )
    assert not AuditEvent.objects.filter(action="view").exists()


def test_a_person_not_in_the_registry_or_no_longer_has_no_profile(
    county: County, hospital: Hospital
) -> None:
    nobody = resident(county.sunny_101, "张三")
    assert care_profile_for(nobody) is None
    assert care_profile_for(None) is None

    ended = resident(county.sunny_101, "赵四")
    need = dialysis(ended, hospital)
    need.ended_on = dt.date(2022, 3, 1)
    need.save()
    assert care_profile_for(ended) is None
    assert care_tags_for([nobody.pk, ended.pk]) == {}


def test_tags_for_a_list_in_one_query(
    county: County, hospital: Hospital, django_assert_num_queries
) -> None:
    a = resident(county.sunny_101, "甲")
    b = resident(county.sunny_201, "乙")
    dialysis(a, hospital)
    CareNeed.objects.create(person=b, kind=NeedKind.INFANT)
    with django_assert_num_queries(1):
        tags = care_tags_for([a.pk, b.pk])
    assert tags == {a.pk: ["血透"], b.pk: ["婴幼儿"]}


def test_the_emergency_notice_is_translatable_text() -> None:
    assert "不得以没有核酸检测阴性证明为由" in str(NO_TEST_REQUIRED_NOTICE)
