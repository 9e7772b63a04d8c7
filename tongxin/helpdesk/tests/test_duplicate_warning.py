"""A second open request from the same phone or household shows as a likely duplicate to merge,
not silently created twice; merging keeps both histories."""

import datetime as dt
from typing import Any

import pytest
from django.urls import reverse

from tongxin.helpdesk.models import EventKind, HelpRequest, Status
from tongxin.helpdesk.services import HelpdeskError, close, dispatch, history, log_contact, merge
from tongxin.helpdesk.views.public import public_state

from .conftest import PHONE, T0, Team, Town, ask

pytestmark = pytest.mark.django_db


def test_the_same_phone_typed_differently_is_flagged(desk) -> None:
    first = ask("家里没菜了", "13912345678", at=T0)
    second = ask("还是没有菜，孩子饿了", "+86 139-1234-5678", at=T0 + dt.timedelta(minutes=20))
    assert second.suspected_duplicate_of == first
    assert HelpRequest.objects.count() == 2  # taken in (nothing is lost), but marked


def test_the_same_household_from_another_phone_is_flagged(town: Town) -> None:
    first = ask("母亲需要配降压药", "13912345678", place=town.h101)
    second = ask("我妈的药快吃完了", "13512345678", place=town.h101)
    assert second.suspected_duplicate_of == first
    neighbour = ask("家里没菜了", "13612345678", place=town.h102)
    assert neighbour.suspected_duplicate_of is None


def test_a_closed_request_is_not_a_duplicate(desk, supplies: Team) -> None:
    first = ask(at=T0)
    dispatch(first, supplies.unit, desk, now=T0)
    log_contact(first, supplies.a, "called", now=T0 + dt.timedelta(minutes=5))
    close(first, supplies.a, "已送菜", now=T0 + dt.timedelta(hours=1))
    again = ask("又没菜了", at=T0 + dt.timedelta(days=1))
    assert again.suspected_duplicate_of is None


def test_merging_keeps_both_histories_and_both_numbers_answer(desk, supplies: Team) -> None:
    first = ask("家里没菜了", at=T0)
    dispatch(first, supplies.unit, desk, now=T0 + dt.timedelta(minutes=2))
    second = ask("孕妇，家里没菜了", at=T0 + dt.timedelta(minutes=10))
    assert second.priority == "urgent" and first.priority == "normal"

    into = merge(second, first, desk, now=T0 + dt.timedelta(minutes=12))

    second.refresh_from_db()
    assert (second.status, second.merged_into) == (Status.MERGED, first)
    # The request that carries on takes the more urgent priority and the earlier deadline.
    assert into.priority == "urgent"
    assert into.contact_due_at == second.contact_due_at
    kinds = [(e.request.number, e.kind) for e in history(into)]
    assert (second.number, EventKind.RECEIVED) in kinds
    assert (first.number, EventKind.DISPATCHED) in kinds
    assert (first.number, EventKind.MERGED) in kinds
    # The merged number still tells its resident where things stand.
    state = public_state(HelpRequest.objects.get(pk=second.pk))
    assert state["merged_into"] == first.number and "承办" in state["status"]
    with pytest.raises(HelpdeskError):
        merge(second, first, desk)


def test_only_duty_staff_merge(supplies: Team) -> None:
    first, second = ask(at=T0), ask(at=T0 + dt.timedelta(minutes=1))
    with pytest.raises(HelpdeskError):
        merge(second, first, supplies.lead)


def test_the_hotline_form_warns_before_creating_a_second_request(
    client: Any, desk, town: Town, django_capture_on_commit_callbacks: Any
) -> None:
    existing = ask("母亲需要配降压药", PHONE, at=T0)
    client.force_login(desk)
    form = {"phone": PHONE, "text": "上次说的药还没送到", "estate": town.estate.pk}

    warned = client.post(reverse("helpdesk:new"), form)
    assert warned.status_code == 200
    page = warned.content.decode()
    assert "可能是重复来电" in page and existing.number in page
    assert PHONE not in page
    assert HelpRequest.objects.count() == 1  # nothing created until the duty staff decide

    with django_capture_on_commit_callbacks(execute=True):
        merged = client.post(
            reverse("helpdesk:new"), {**form, "duplicate_action": f"merge:{existing.pk}"}
        )
    assert merged.status_code == 302
    assert merged["Location"] == reverse("helpdesk:detail", args=[existing.number])
    call = HelpRequest.objects.exclude(pk=existing.pk).get()
    assert (call.status, call.merged_into) == (Status.MERGED, existing)

    separate = client.post(reverse("helpdesk:new"), {**form, "duplicate_action": "new"})
    assert separate.status_code == 302
    newest = HelpRequest.objects.order_by("-pk").first()
    assert newest is not None and newest.suspected_duplicate_of is None
    assert newest.status == Status.RECEIVED


def test_the_detail_page_offers_the_merge(client: Any, desk) -> None:
    first = ask(at=T0)
    second = ask(at=T0 + dt.timedelta(minutes=3))
    client.force_login(desk)
    page = client.get(reverse("helpdesk:detail", args=[second.number])).content.decode()
    assert "疑似重复" in page and f"并入 {first.number}" in page
    response = client.post(reverse("helpdesk:merge", args=[second.number]), {"into": first.number})
    assert response["Location"] == reverse("helpdesk:detail", args=[first.number])
    second.refresh_from_db()
    assert second.merged_into == first
