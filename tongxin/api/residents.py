"""Resident search, list and detail (masked), and the audited reveal of one value."""

from typing import Any

from django.http import HttpRequest
from ninja import Query, Router, Schema
from ninja.pagination import PageNumberPagination, paginate

from tongxin.api.places import get_visible_place
from tongxin.api.schemas import ResidentDetail, ResidentOut, RevealIn, RevealOut
from tongxin.people import services
from tongxin.people.models import Person

router = Router(tags=["residents"])


class ResidentFilter(Schema):
    q: str = ""
    area: int | None = None


class ResidentPages(PageNumberPagination):
    def __init__(self, **kwargs: Any) -> None:
        super().__init__(page_size=50, max_page_size=500, **kwargs)


@router.get(
    "/",
    response=list[ResidentOut],
    summary="Search and list residents (masked), optionally under ?area=PLACE_ID",
)
@paginate(ResidentPages)
def list_residents(request: HttpRequest, filters: Query[ResidentFilter]) -> Any:
    user = request.user
    people = Person.objects.visible_to(user).for_list()
    if filters.area is not None:
        people = people.under(get_visible_place(user, filters.area))
    people = services.search(people, filters.q)
    return people.order_by("household__path", "name", "pk")


@router.get("/{person_id}", response=ResidentDetail, summary="One resident (masked; audited)")
def resident_detail(request: HttpRequest, person_id: int) -> Person:
    return services.view_person(request.user, person_id)


@router.post(
    "/{person_id}/reveal",
    response=RevealOut,
    summary="Reveal one personal-data value (needs the reveal permission; audited)",
)
def reveal_value(request: HttpRequest, person_id: int, payload: RevealIn) -> dict[str, Any]:
    value = services.reveal(request.user, person_id, payload.field)
    return {"id": person_id, "field": payload.field, "value": value}
