"""The demo's residents went in through the importer and are stored like any county's."""

from typing import Any

from tongxin.core.idnumbers import is_valid
from tongxin.people.models import Person, ResidenceStatus
from tongxin.places.models import Place, PlaceKind


def test_residents_came_in_through_the_importer_with_every_status(demo: Any) -> None:
    estate = Place.objects.get(kind=PlaceKind.ESTATE, name="城东嘉苑")
    assert Person.objects.under(estate).exists()
    statuses = set(Person.objects.values_list("residence_status", flat=True))
    assert statuses == set(ResidenceStatus)
    # Everyone but the sampling demo's walk-in (registered at a test point) was imported.
    rows = Person.objects.filter(walk_in__isnull=True).count()
    assert f"居民：{rows} 行，新增 {rows}，" in demo


def test_stored_residents_decrypt_to_valid_numbers(demo: Any) -> None:
    people = list(Person.objects.all())
    assert people
    assert all(is_valid(p.document_number) for p in people)
    assert all(p.birth_date and p.sex for p in people)
