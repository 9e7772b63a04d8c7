"""The one notification service every app calls: `notify(kind, users=…, units=…, phones=…, …)`.

It renders the kind's template once, puts the message in each recipient's inbox at once, and
queues the other channels (SMS, group robots) as deliveries that a background task sends;
`phones` reach people without an account (households) by SMS the same way. A
channel that is down is retried with exponential backoff and, after the last attempt, reported
to the system administrators; it never makes `notify` or the action that called it fail.
"""

import logging
import time
import traceback
from collections.abc import Iterable
from dataclasses import dataclass
from functools import partial
from typing import Any

from django.conf import settings
from django.db import models, transaction
from django.db.models import Q
from django.http import Http404
from django.template.loader import render_to_string
from django.urls import NoReverseMatch, reverse
from django.utils import timezone, translation

from tongxin.accounts.models import Role, User
from tongxin.core.masking import mask_phone
from tongxin.core.phones import InvalidPhone, normalize_mobile
from tongxin.incidents.models import Incident
from tongxin.notifications import conf, kinds
from tongxin.notifications.kinds import Channel, Kind
from tongxin.notifications.models import (
    Delivery,
    DeliveryAttempt,
    DeliveryStatus,
    GroupRobot,
    Message,
    MessageQuerySet,
    Notification,
    Preference,
)
from tongxin.notifications.robots import DeliveryError, send_to_robot
from tongxin.notifications.sms import SmsError, get_backend
from tongxin.units.models import Unit

logger = logging.getLogger(__name__)

SMS_MAX_CHARS = 300


# --- rendering -------------------------------------------------------------------------------


def render(kind: Kind, context: dict[str, Any] | None) -> tuple[str, str]:
    """(title, body) from the kind's template, in the install's language."""
    try:
        with translation.override(settings.LANGUAGE_CODE):
            text = render_to_string(kind.template, context or {})
    except Exception:
        # A broken template is a bug to fix, not a reason to lose the message.
        logger.exception("notification template %s failed", kind.template)
        return str(kind.label), ""
    lines = [line.rstrip() for line in text.strip().splitlines()]
    title = (lines[0].strip() if lines else "") or str(kind.label)
    body_lines: list[str] = []
    for line in lines[1:]:
        if line or (body_lines and body_lines[-1]):
            body_lines.append(line)
    return title[:200], "\n".join(body_lines).strip()


def absolute_link(link: str) -> str:
    """A link usable outside the site (robots, SMS): empty when no site address is configured."""
    if not link or link.startswith(("http://", "https://")):
        return link
    base = conf.site_url()
    return f"{base}{link}" if base else ""


def safe_reverse(name: str, *args: Any) -> str:
    try:
        return reverse(name, args=args)
    except NoReverseMatch:
        return ""


# --- preferences -----------------------------------------------------------------------------

PrefKey = tuple[str, int | None, str, str]  # (owner type, owner id, kind, channel)


def _load_preferences(
    user_ids: Iterable[int], unit_ids: Iterable[int | None], kind: str | None
) -> dict[PrefKey, bool]:
    """The owners' preference rows for `kind` and for every kind ("" rows); None: all kinds."""
    unit_ids = {u for u in unit_ids if u}
    rows = Preference.objects.filter(Q(user_id__in=set(user_ids)) | Q(unit_id__in=unit_ids))
    if kind is not None:
        rows = rows.filter(kind__in=[kind, ""])
    prefs: dict[PrefKey, bool] = {}
    for user_id, unit_id, k, channel, enabled in rows.values_list(
        "user_id", "unit_id", "kind", "channel", "enabled"
    ):
        owner = ("user", user_id) if user_id else ("unit", unit_id)
        prefs[(*owner, k, channel)] = enabled
    return prefs


def _user_channel(
    prefs: dict[PrefKey, bool], user_id: int, unit_id: int | None, kind: Kind, channel: str
) -> bool:
    for key in (
        ("user", user_id, kind.code, channel),
        ("user", user_id, "", channel),
        ("unit", unit_id, kind.code, channel),
        ("unit", unit_id, "", channel),
    ):
        if key in prefs:
            return prefs[key]
    return channel in kind.default_channels


def _unit_channel(prefs: dict[PrefKey, bool], unit_id: int, kind: Kind, channel: str) -> bool:
    """For a unit: ROBOT is its robots; SMS is the default its staff inherit."""
    for key in (("unit", unit_id, kind.code, channel), ("unit", unit_id, "", channel)):
        if key in prefs:
            return prefs[key]
    return channel in kind.default_channels


def user_channel_enabled(user: User, kind_code: str, channel: str) -> bool:
    kind = kinds.get(kind_code)
    prefs = _load_preferences([user.pk], [user.unit_id], kind.code)
    return _user_channel(prefs, user.pk, user.unit_id, kind, channel)


def unit_channel_enabled(unit: Unit, kind_code: str, channel: str) -> bool:
    kind = kinds.get(kind_code)
    prefs = _load_preferences([], [unit.pk], kind.code)
    return _unit_channel(prefs, unit.pk, kind, channel)


def preference_rows(user: User, unit: Unit | None = None) -> list[dict[str, Any]]:
    """Per kind, whether SMS is on for the user and (for the unit the user may set) the unit's
    SMS default and robots: the preferences page, in one query."""
    prefs = _load_preferences([user.pk], [user.unit_id, unit.pk if unit else None], None)
    return [
        {
            "kind": kind,
            "sms": _user_channel(prefs, user.pk, user.unit_id, kind, Channel.SMS),
            "unit_sms": unit is not None and _unit_channel(prefs, unit.pk, kind, Channel.SMS),
            "unit_robot": unit is not None and _unit_channel(prefs, unit.pk, kind, Channel.ROBOT),
        }
        for kind in kinds.all_kinds()
    ]


def set_preference(
    *, channel: str, enabled: bool, kind: str = "", user: User | None = None,
    unit: Unit | None = None,
) -> Preference:  # fmt: skip
    if (user is None) == (unit is None):
        raise ValueError("a preference belongs to exactly one user or one unit")
    if kind:
        kinds.get(kind)
    pref, _created = Preference.objects.update_or_create(
        user=user, unit=unit, kind=kind, channel=channel, defaults={"enabled": enabled}
    )
    return pref


# --- notify ----------------------------------------------------------------------------------


def _recipients(users: Iterable[User], units: list[Unit]) -> list[User]:
    found: dict[int, User] = {}
    for user in users:
        if user is not None and user.is_active:
            found.setdefault(user.pk, user)
    if units:
        for user in User.objects.filter(unit__in=units, is_active=True).order_by("pk"):
            found.setdefault(user.pk, user)
    return list(found.values())


def _phone_numbers(phones: Iterable[str]) -> tuple[list[str], int]:
    """The distinct valid mobile numbers in `phones` (normalized, first-seen order) and how
    many non-empty entries were not valid mobile numbers."""
    if isinstance(phones, str):
        # A lone number passed by mistake would otherwise be taken as eleven one-digit numbers.
        phones = [phones]
    numbers: dict[str, None] = {}
    invalid = 0
    for raw in phones:
        if not raw or not str(raw).strip():
            continue
        try:
            numbers.setdefault(normalize_mobile(str(raw)), None)
        except InvalidPhone:
            invalid += 1
    return list(numbers), invalid


def _comparable(phone: str) -> str:
    # Users' numbers are stored as typed; compare them with the list's in normalized form.
    try:
        return normalize_mobile(phone)
    except InvalidPhone:
        return phone


def _plan_deliveries(
    notification: Notification, kind: Kind, recipients: list[User], units: list[Unit],
    phones: Iterable[str] = (),
) -> list[Delivery]:  # fmt: skip
    prefs = _load_preferences(
        [u.pk for u in recipients], [u.unit_id for u in recipients] + [u.pk for u in units],
        kind.code,
    )  # fmt: skip
    planned: list[Delivery] = []
    texted: set[str] = set()
    for user in recipients:
        if user.phone and _user_channel(prefs, user.pk, user.unit_id, kind, Channel.SMS):
            planned.append(Delivery(notification=notification, channel=Channel.SMS, user=user))
            texted.add(_comparable(user.phone))
    # Numbers given explicitly are texted whatever the kind's default channels say: the caller
    # asked for exactly that. One message per number, even if it is also a recipient's own.
    for phone in phones:
        if phone not in texted:
            texted.add(phone)
            planned.append(
                Delivery(
                    notification=notification,
                    channel=Channel.SMS,
                    phone=phone,
                    phone_masked=mask_phone(phone),
                )
            )
    robot_units = [u.pk for u in units if _unit_channel(prefs, u.pk, kind, Channel.ROBOT)]
    if robot_units:
        for robot in GroupRobot.objects.filter(unit_id__in=robot_units, is_active=True):
            planned.append(Delivery(notification=notification, channel=Channel.ROBOT, robot=robot))
    return planned


def _enqueue(delivery_ids: list[int]) -> None:
    from tongxin.notifications.tasks import deliver

    for delivery_id in delivery_ids:
        try:
            deliver.enqueue(delivery_id)
        except Exception:
            # The task queue being down must not surface here; the retry sweep sends it later.
            logger.exception(
                "could not queue delivery %s; the retry sweep will send it", delivery_id
            )


def notify(
    kind: str,
    *,
    users: Iterable[User] = (),
    units: Iterable[Unit] = (),
    context: dict[str, Any] | None = None,
    link: str = "",
    incident: Incident | None = None,
    phones: Iterable[str] = (),
) -> list[Message]:
    """Tell users (and every active staff member and group robot of the units) about an event,
    and text `phones`: mobile numbers of people without an account (households).

    Inbox messages exist when this returns; SMS and robot deliveries are queued once the
    surrounding transaction commits. Each phone gets one SMS (the kind's rendered message,
    as users get) with the same retries and failure reporting; numbers that are not valid
    mainland mobiles are skipped and only counted in the log. Internal kinds text nobody.
    Returns the inbox messages created.
    """
    spec = kinds.get(kind)
    unit_list = [u for u in units if u is not None]
    recipients = _recipients(users, unit_list)
    numbers, invalid = _phone_numbers(phones)
    if invalid:
        # The count only: a mistyped number is still somebody's personal data.
        logger.warning("notify %s: skipped %d invalid phone number(s)", spec.code, invalid)
    title, body = render(spec, {"link": link, "incident": incident, **(context or {})})
    now = timezone.now()
    with transaction.atomic():
        notification = Notification.objects.create(
            kind=spec.code, title=title, body=body, link=link[:500], incident=incident,
            created_at=now,
        )  # fmt: skip
        messages = Message.objects.bulk_create(
            [Message(notification=notification, user=u, created_at=now) for u in recipients]
        )
        deliveries: list[Delivery] = []
        if not spec.internal:
            deliveries = Delivery.objects.bulk_create(
                _plan_deliveries(notification, spec, recipients, unit_list, numbers)
            )
    ids = [d.pk for d in deliveries if d.pk is not None]
    if ids:
        transaction.on_commit(partial(_enqueue, ids))
    return messages


# --- inbox -----------------------------------------------------------------------------------


def inbox(user: User) -> MessageQuerySet:
    return Message.objects.visible_to(user).select_related("notification")


def unread_count(user: Any) -> int:
    if user is None or not getattr(user, "is_authenticated", False):
        return 0
    return Message.objects.visible_to(user).unread().count()


def get_message(user: User, message_id: int) -> Message:
    message = inbox(user).filter(pk=message_id).first()
    if message is None:
        raise Http404
    return message


def mark_read(user: User, message_id: int, now: Any = None) -> Message:
    message = get_message(user, message_id)
    if message.read_at is None:
        message.read_at = now or timezone.now()
        Message.objects.filter(pk=message.pk, read_at__isnull=True).update(read_at=message.read_at)
    return message


def mark_all_read(user: User, now: Any = None) -> int:
    return Message.objects.visible_to(user).unread().update(read_at=now or timezone.now())


# --- delivery --------------------------------------------------------------------------------


def _due(now: Any) -> Q:
    return Q(status=DeliveryStatus.PENDING, next_attempt_at__lte=now) | Q(
        status=DeliveryStatus.SENDING, claimed_at__lt=now - conf.STALE_CLAIM
    )


def _masked(text: str, delivery: Delivery) -> str:
    """The text with the delivery's phone number masked wherever it appears."""
    phone = delivery.sms_number if delivery.channel == Channel.SMS else ""
    if phone and phone in text:
        text = text.replace(phone, mask_phone(phone))
    return text


def _scrub(text: str, delivery: Delivery) -> str:
    return _masked(text, delivery)[:500]


def _sms_text(notification: Notification) -> str:
    parts = [notification.title, notification.body, absolute_link(notification.link)]
    text = "\n".join(p for p in parts if p)
    return text if len(text) <= SMS_MAX_CHARS else text[: SMS_MAX_CHARS - 1] + "…"


def _cancel_reason(delivery: Delivery) -> str:
    if delivery.channel == Channel.ROBOT:
        robot = delivery.robot
        return "" if robot is not None and robot.is_active else "robot disabled"
    if delivery.user_id is None:
        return "" if delivery.phone else "no phone number"
    user = delivery.user
    if user is None or not user.is_active:
        return "recipient inactive"
    return "" if user.phone else "no phone number"


def _send(delivery: Delivery) -> int | None:
    notification = delivery.notification
    if delivery.channel == Channel.ROBOT:
        assert delivery.robot is not None
        return send_to_robot(
            delivery.robot,
            notification.title,
            notification.body,
            absolute_link(notification.link),
            timeout=conf.webhook_timeout(),
        )
    try:
        get_backend().send(delivery.sms_number, _sms_text(notification))
    except SmsError as exc:
        raise DeliveryError(str(exc)) from None
    return None


def attempt_delivery(delivery_id: int, now: Any = None) -> Delivery | None:
    """One attempt at a due delivery. None when it is not due or someone else holds it.

    Claiming is a conditional update, so a task and the retry sweep racing for the same
    delivery send it once.
    """
    now = now or timezone.now()
    claimed = (
        Delivery.objects.filter(_due(now), pk=delivery_id)
        .update(status=DeliveryStatus.SENDING, claimed_at=now)
    )  # fmt: skip
    if not claimed:
        return None
    delivery = Delivery.objects.select_related("notification", "robot", "user").get(pk=delivery_id)
    reason = _cancel_reason(delivery)
    if reason:
        Delivery.objects.filter(pk=delivery.pk).update(
            status=DeliveryStatus.CANCELLED, last_error=reason
        )
        delivery.refresh_from_db()
        return delivery

    started = time.monotonic()
    status_code: int | None = None
    error = ""
    try:
        status_code = _send(delivery)
    except DeliveryError as exc:
        status_code, error = exc.status_code, _scrub(str(exc), delivery) or "error"
    except Exception as exc:
        # Not logger.exception: the exception's text may carry the number, so mask it first.
        logger.error(
            "delivery %s failed unexpectedly\n%s",
            delivery.pk,
            _masked("".join(traceback.format_exception(exc)), delivery).rstrip(),
        )
        error = _scrub(f"{type(exc).__name__}: {exc}", delivery)
    elapsed = int((time.monotonic() - started) * 1000)

    number = DeliveryAttempt.objects.filter(delivery=delivery).count() + 1
    DeliveryAttempt.objects.create(
        delivery=delivery, number=number, attempted_at=now, ok=not error,
        status_code=status_code, error=error, duration_ms=elapsed,
    )  # fmt: skip
    attempts = delivery.attempts + 1
    fields: dict[str, Any] = {"attempts": attempts, "claimed_at": None, "last_error": error}
    if not error:
        fields.update(status=DeliveryStatus.DELIVERED, delivered_at=now)
    elif attempts >= conf.max_attempts():
        fields.update(status=DeliveryStatus.FAILED, failed_at=now)
    else:
        fields.update(
            status=DeliveryStatus.PENDING, next_attempt_at=now + conf.retry_delay(attempts)
        )
    Delivery.objects.filter(pk=delivery.pk).update(**fields)
    delivery.refresh_from_db()
    if delivery.status == DeliveryStatus.FAILED:
        report_failure(delivery, now)
    return delivery


def failure_watchers() -> models.QuerySet[User]:
    """Who hears about a channel that gave up: system administrators (superusers if none)."""
    admins = User.objects.filter(is_active=True, role=Role.SYSADMIN)
    return admins if admins.exists() else User.objects.filter(is_active=True, is_superuser=True)


def report_failure(delivery: Delivery, now: Any = None) -> bool:
    """Tell the administrators once that a delivery failed for good."""
    now = now or timezone.now()
    if not Delivery.objects.filter(pk=delivery.pk, reported_at__isnull=True).update(
        reported_at=now
    ):
        return False
    notify(
        "delivery_failed",
        users=failure_watchers(),
        context={
            "channel": delivery.get_channel_display(),
            "recipient": delivery.recipient_label,
            "title": delivery.notification.title,
            "attempts": delivery.attempts,
            "error": delivery.last_error,
        },
        link=safe_reverse("notifications:deliveries"),
        incident=delivery.notification.incident,
    )
    return True


@dataclass
class RetryResult:
    attempted: int = 0
    delivered: int = 0
    failed: int = 0
    pending: int = 0


def retry_due(now: Any = None, limit: int = 1000) -> RetryResult:
    """The periodic sweep: attempt every delivery that is due (first tries the queue missed,
    retries whose backoff has passed, claims left by a worker that died)."""
    now = now or timezone.now()
    result = RetryResult()
    ids = list(
        Delivery.objects.filter(_due(now)).order_by("next_attempt_at", "pk")
        .values_list("pk", flat=True)[:limit]
    )  # fmt: skip
    for delivery_id in ids:
        delivery = attempt_delivery(delivery_id, now)
        if delivery is None:
            continue
        result.attempted += 1
        if delivery.status == DeliveryStatus.DELIVERED:
            result.delivered += 1
        elif delivery.status == DeliveryStatus.FAILED:
            result.failed += 1
        elif delivery.status == DeliveryStatus.PENDING:
            result.pending += 1
    return result


def resend(delivery: Delivery, now: Any = None) -> Delivery:
    """Give a failed delivery a fresh round of attempts (after fixing the robot, say)."""
    now = now or timezone.now()
    Delivery.objects.filter(pk=delivery.pk, status=DeliveryStatus.FAILED).update(
        status=DeliveryStatus.PENDING, attempts=0, next_attempt_at=now, failed_at=None,
        reported_at=None, claimed_at=None,
    )  # fmt: skip
    delivery.refresh_from_db()
    if delivery.status == DeliveryStatus.PENDING:
        transaction.on_commit(partial(_enqueue, [delivery.pk]))
    return delivery


def can_watch_deliveries(user: Any) -> bool:
    from tongxin.accounts.permissions import Perm, has_perm

    return has_perm(user, Perm.VIEW_DELIVERIES)


def visible_deliveries(user: Any) -> models.QuerySet[Delivery]:
    return Delivery.objects.visible_to(user).select_related("notification", "robot__unit", "user")
