"""Test factories for the workforce (test-only; needs the dev extras)."""

import datetime as dt
import itertools
from typing import Any

import factory

from tongxin.factories import make_mobile
from tongxin.incidents.models import Incident
from tongxin.places.models import Place
from tongxin.workforce.models import Member, Post, PostKind, Shift, Team, TeamKind
from tongxin.workforce.services.shifts import create_shift

_codes = itertools.count(1)


class TeamFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Team

    name = factory.Sequence(lambda n: f"驰援医疗队{n}")
    kind = TeamKind.MEDICAL
    sending_org = "市第一人民医院"


class MemberFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Member

    name = factory.Sequence(lambda n: f"队员{n}")
    phone = factory.LazyFunction(make_mobile)
    qualifications = factory.LazyFunction(lambda: ["sampling"])


def make_post(
    incident: Incident, name: str = "阳光小区采样点", *, place: Place | None = None, **kw: Any
) -> Post:
    kw.setdefault("kind", PostKind.TEST_POINT)
    return Post.objects.create(
        incident=incident, name=name, place=place, code=f"P{next(_codes):05d}", **kw
    )


def make_shift(
    post: Post, start: dt.datetime, hours: float = 5, demand: dict[str, int] | None = None
) -> Shift:
    return create_shift(
        post, start, start + dt.timedelta(hours=hours), demand or {"sampling": 6, "registrar": 2}
    )
