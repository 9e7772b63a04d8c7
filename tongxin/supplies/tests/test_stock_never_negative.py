import datetime as dt
import threading

import pytest
from django.db import IntegrityError, connection, transaction

from tongxin.supplies.factories import item, warehouse
from tongxin.supplies.models import MoveKind, StockLot, StockMove
from tongxin.supplies.services import SuppliesError
from tongxin.supplies.services.stock import balance, issue, receive


@pytest.mark.django_db
def test_issue_takes_earliest_expiry_first_and_keeps_a_ledger() -> None:
    wh, tubes = warehouse(), item("采样管", category="sampling", unit_label="支")
    receive(wh, tubes, 300, batch="B2", expires_on=dt.date(2022, 6, 1))
    receive(wh, tubes, 200, batch="B1", expires_on=dt.date(2022, 4, 1))
    done = issue(wh, tubes, 250, note="阳光小区采样点")
    assert [(m.lot.batch, m.quantity, m.balance_after) for m in done.moves] == [
        ("B1", -200, 300),
        ("B2", -50, 250),
    ]
    assert balance(wh, tubes) == 250
    assert StockMove.objects.filter(kind=MoveKind.IN).count() == 2


@pytest.mark.django_db
def test_an_issue_larger_than_the_stock_is_refused_whole() -> None:
    wh, masks = warehouse(), item()
    receive(wh, masks, 100, batch="A")
    with pytest.raises(SuppliesError, match="库存不足"):
        issue(wh, masks, 101)
    assert balance(wh, masks) == 100
    assert not StockMove.objects.filter(kind=MoveKind.OUT).exists()


@pytest.mark.django_db
def test_the_database_refuses_a_negative_batch() -> None:
    wh, masks = warehouse(), item()
    receive(wh, masks, 5)
    with pytest.raises(IntegrityError), transaction.atomic():
        StockLot.objects.filter(warehouse=wh).update(quantity=-1)


@pytest.mark.django_db(transaction=True)
def test_two_issues_of_the_last_stock_at_once_leave_it_at_zero_or_more() -> None:
    if connection.vendor == "sqlite":
        pytest.skip("needs a database that lets two connections wait on each other (PostgreSQL)")
    wh, masks = warehouse(), item()
    receive(wh, masks, 60, batch="A")
    receive(wh, masks, 40, batch="B")
    barrier = threading.Barrier(3)
    outcomes: list[str] = []

    def take() -> None:
        try:
            barrier.wait(timeout=5)
            issue(wh, masks, 60)
            outcomes.append("ok")
        except SuppliesError:
            outcomes.append("refused")
        finally:
            connection.close()

    threads = [threading.Thread(target=take) for _ in range(3)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=30)
    assert sorted(outcomes) == ["ok", "refused", "refused"]
    assert balance(wh, masks) == 40
    assert all(q >= 0 for q in StockLot.objects.values_list("quantity", flat=True))


@pytest.mark.django_db
def test_a_post_request_is_issued_once_then_signed_for(incident) -> None:
    from tongxin.supplies.models import RequestStatus, SupplyRequest
    from tongxin.supplies.services.requests import confirm_receipt, issue_request

    wh, tubes = warehouse(), item("采样管", category="sampling")
    receive(wh, tubes, 600)
    request = SupplyRequest.objects.create(
        incident=incident, warehouse=wh, item=tubes, quantity=500, for_post="阳光小区采样点"
    )
    with pytest.raises(SuppliesError, match="签收"):
        confirm_receipt(request, "张三")
    issued = issue_request(request)
    assert issued.status == RequestStatus.ISSUED and balance(wh, tubes) == 100
    with pytest.raises(SuppliesError, match="已处理"):
        issue_request(request)
    assert confirm_receipt(issued, "采样点负责人").status == RequestStatus.DELIVERED
