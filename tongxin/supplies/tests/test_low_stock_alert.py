import pytest

from tongxin.factories import UnitFactory, UserFactory
from tongxin.notifications.models import Message
from tongxin.supplies.factories import item, warehouse
from tongxin.supplies.services.stock import issue, receive
from tongxin.units.models import UnitKind

pytestmark = pytest.mark.django_db


def test_crossing_the_threshold_tells_the_warehouse_unit_once() -> None:
    unit = UnitFactory(name="县物资保障组", kind=UnitKind.SUPPORT)
    keeper = UserFactory(role="support_team", unit=unit)
    wh = warehouse(unit=unit)
    suits = item("防护服", low_stock_at=100)
    receive(wh, suits, 300)
    assert not issue(wh, suits, 150).low
    first = issue(wh, suits, 60)
    assert first.low and first.balance == 90
    issue(wh, suits, 10)  # still low: no second alert
    messages = Message.objects.filter(user=keeper, notification__kind="supplies_low_stock")
    assert messages.count() == 1
    text = messages.get().notification.body + messages.get().notification.title
    assert "防护服" in text and "90" in text
