import threading

import pytest
from django.db import IntegrityError, connection, transaction

from tongxin.zones import services
from tongxin.zones.models import ZoneDesignation
from tongxin.zones.services import ZoneError, designate_zone


@pytest.mark.django_db
def test_a_second_designation_of_a_zoned_place_is_refused(town, incident, chief) -> None:
    designate_zone(town.b1, "sealed", incident, reason="阳性", decided_by=chief)
    with pytest.raises(ZoneError, match="已划定为封控区"):
        designate_zone(town.b1, "controlled", incident, reason="另一人", decided_by=chief)
    assert ZoneDesignation.objects.filter(place=town.b1).count() == 1


@pytest.mark.django_db
def test_the_database_refuses_two_open_spans_even_if_the_check_was_raced(
    town, incident, chief, monkeypatch
) -> None:
    designate_zone(town.b1, "sealed", incident, reason="阳性", decided_by=chief)
    # As if the second writer had looked before the first committed.
    monkeypatch.setattr(services, "_overlapping", lambda *args: None)
    with pytest.raises(ZoneError, match="刚刚已被他人划定"):
        designate_zone(town.b1, "controlled", incident, reason="另一人", decided_by=chief)
    assert ZoneDesignation.objects.filter(place=town.b1, effective_until=None).count() == 1
    with pytest.raises(IntegrityError), transaction.atomic():
        ZoneDesignation.objects.create(
            incident=incident, place=town.b1, kind="sealed", kind_name="封控区", kind_rank=3,
            effective_from=incident.started_at, reason="直接写库",
        )  # fmt: skip


@pytest.mark.django_db(transaction=True)
def test_two_people_designating_at_once_leave_one_designation(town, incident, chief) -> None:
    if connection.vendor == "sqlite":
        # The shared in-memory test database fails a second writer at once ("table is
        # locked") instead of making it wait; a file database or PostgreSQL waits.
        pytest.skip("needs a database that lets two connections wait on each other (PostgreSQL)")
    barrier = threading.Barrier(2)
    outcomes: list[str] = []

    def designate(kind: str) -> None:
        try:
            barrier.wait(timeout=5)
            designate_zone(town.b2, kind, incident, reason=f"同时划定{kind}", decided_by=chief)
            outcomes.append("ok")
        except ZoneError:
            outcomes.append("refused")
        finally:
            connection.close()

    threads = [threading.Thread(target=designate, args=(k,)) for k in ("sealed", "controlled")]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=30)
    assert sorted(outcomes) == ["ok", "refused"]
    assert ZoneDesignation.objects.filter(place=town.b2, effective_until=None).count() == 1
