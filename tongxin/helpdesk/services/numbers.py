"""Request numbers (工单号): QZ20220305-0001, sequential per day of receipt, never twice.

The day's counter row is locked (SELECT … FOR UPDATE) for the rest of the transaction, so
two intakes at the same moment get consecutive numbers; on SQLite the IMMEDIATE transactions
serialize writers to the same effect. The unique number column is the last line of defence.
"""

import datetime as dt

from django.db import IntegrityError, transaction
from django.utils import timezone

from tongxin.helpdesk import conf
from tongxin.helpdesk.models import DayCounter


def format_number(day: dt.date, seq: int) -> str:
    return f"{conf.number_prefix()}{day:%Y%m%d}-{seq:04d}"


def day_of(at: dt.datetime) -> dt.date:
    return timezone.localdate(at)


def reserve(day: dt.date, count: int = 1) -> list[str]:
    """`count` consecutive numbers of `day`."""
    if count < 1:
        return []
    with transaction.atomic():
        row = DayCounter.objects.select_for_update().filter(day=day).first()
        if row is None:
            try:
                with transaction.atomic():
                    row = DayCounter.objects.create(day=day, last=0)
            except IntegrityError:
                # Another intake created the day's row first; wait for its lock.
                row = DayCounter.objects.select_for_update().get(day=day)
        first = row.last + 1
        row.last += count
        row.save(update_fields=["last"])
    return [format_number(day, seq) for seq in range(first, first + count)]


def next_number(at: dt.datetime) -> str:
    return reserve(day_of(at))[0]
