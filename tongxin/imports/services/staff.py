"""Activation links for staff accounts created without a password: by SMS or on paper."""

import datetime as dt
from pathlib import Path
from typing import Any, BinaryIO

from django.utils import timezone
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font

from tongxin.accounts.activation import activation_hours, activation_path, issue_activation
from tongxin.accounts.models import User
from tongxin.core.spreadsheets import text_cell
from tongxin.notifications.services import absolute_link, notify

SMS, PRINT = "sms", "print"


def deliver_key(user: User, key: str, *, deliver: str = SMS) -> str | None:
    """Text the link to the account's phone (None), or give it back to be shown or printed
    (when asked to, or when no site address, TONGXIN_SITE_URL, makes a usable SMS link)."""
    path = activation_path(key)
    link = absolute_link(path)
    if deliver == SMS and link and user.phone:
        notify(
            "account_activation",
            phones=[user.phone],
            context={"name": user.full_name or user.username, "link": link,
                     "hours": activation_hours()},
        )  # fmt: skip
        return None
    return link or path


def send_activations(users: list[User], *, deliver: str = SMS) -> list[tuple[User, str]]:
    """Issue a one-time link for each account and deliver it. Returns the (account, link)
    pairs not texted: to print for the unit leader."""
    printed: list[tuple[User, str]] = []
    for user in users:
        shown = deliver_key(user, issue_activation(user, delivered_by=deliver), deliver=deliver)
        if shown:
            printed.append((user, shown))
    return printed


def write_activation_sheet(links: list[tuple[User, str]], out: Path | BinaryIO) -> None:
    """A sheet for the unit leaders to hand out: unit, name, masked phone, link, valid until."""
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(_("激活链接"))
    valid = timezone.localtime() + dt.timedelta(hours=activation_hours())
    header = []
    for title in (_("单位"), _("姓名"), _("用户名"), _("手机号"), _("激活链接"), _("有效期至")):
        cell = WriteOnlyCell(sheet, value=title)
        cell.font = Font(bold=True)
        header.append(cell)
    sheet.append(header)
    ordered = sorted(links, key=lambda pair: (str(pair[0].unit or ""), pair[0].full_name))
    for user, link in ordered:
        row: list[Any] = [
            text_cell(sheet, str(user.unit or "")),
            text_cell(sheet, user.full_name),
            text_cell(sheet, user.username),
            text_cell(sheet, user.phone_masked, as_text_format=True),
            text_cell(sheet, link),
            valid.strftime("%Y-%m-%d %H:%M"),
        ]
        sheet.append(row)
    workbook.save(out)
