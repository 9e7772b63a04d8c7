"""Resident search, list and detail (masked), and the audited reveal of one value."""

from typing import Any

from django.http import HttpRequest
from ninja import Query, Router, Schema
from ninja.pagination import paginate

from tongxin.api.pages import BoundedPages
from tongxin.api.places import get_visible_place
from tongxin.api.schemas import ResidentDetail, ResidentOut, RevealIn, RevealOut
from tongxin.people import services
from tongxin.people.models import Person

router = Router(tags=["residents"])


class ResidentFilter(Schema):
    q: str = ""
    area: int | None = None


class ResidentPages(BoundedPages):
    pass


@router.get(
    "/",
    response=list[ResidentOut],
    summary="Search and list residents (masked), optionally under ?area=PLACE_ID",
)
@paginate(ResidentPages)
def list_residents(request: HttpRequest, filters: Query[ResidentFilter]) -> Any:
    return _found(request.user, filters.q, filters.area)


def _found(user: Any, query: str, area: int | None) -> Any:
    people = Person.objects.visible_to(user).for_list()
    if area is not None:
        people = people.under(get_visible_place(user, area))
    people = services.search(people, query)
    return people.order_by("household__path", "name", "pk")


class ResidentSearch(Schema):
    q: str = ""
    area: int | None = None


@router.post(
    "/search",
    response=list[ResidentOut],
    summary="Search residents by a full ID or phone number: POSTed, so the number stays out of "
    "URLs and access logs",
)
@paginate(ResidentPages)
def search_residents(request: HttpRequest, payload: ResidentSearch) -> Any:
    return _found(request.user, payload.q, payload.area)


@router.get("/{person_id}", response=ResidentDetail, summary="One resident (masked; audited)")
def resident_detail(request: HttpRequest, person_id: int) -> Person:
    return services.view_person(request.user, person_id)


@router.post(
    "/{person_id}/reveal",
    response=RevealOut,
    summary="Reveal one personal-data value (needs the reveal permission; audited)",
)
def reveal_value(request: HttpRequest, person_id: int, payload: RevealIn) -> dict[str, Any]:
    value = services.reveal(request.user, person_id, payload.field, payload.reason)
    return {"id": person_id, "field": payload.field, "value": value}
