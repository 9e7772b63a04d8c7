"""Zones (三区) as history: designations with a time span, and the evidence for lifting them.

A designation is never edited into another zone. Lifting closes its span; a change (upgrade or
downgrade) closes it and opens a new one that points back at it. So the zone of any place at
any past moment is a query, not a memory.
"""

import datetime as dt
from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from tongxin.audit.signals import AuditedModel
from tongxin.places.models import Place


def ancestor_paths(paths: Any) -> set[str]:
    """Every proper prefix (ancestor path) of the given materialized paths."""
    step = Place.steplen
    return {p[:i] for p in paths for i in range(step, len(p), step)}


def _within_or_above(user: Any, path_field: str) -> Q | None:
    """Rows whose place is in the user's jurisdiction or above it; None means everywhere.

    A unit sees what is designated on its estates and below (a sealed building) and what
    covers them from above (a controlled community or township), but not a neighbour's estate.
    """
    from tongxin.accounts.jurisdiction import jurisdiction_of

    jurisdiction = jurisdiction_of(user)
    if jurisdiction.everywhere:
        return None
    if not jurisdiction.paths:
        return Q(pk__in=[])
    return jurisdiction.q(path_field) | Q(
        **{f"{path_field}__in": sorted(ancestor_paths(jurisdiction.paths))}
    )


class ZoneEnd(models.TextChoices):
    LIFTED = "lifted", _("解除")
    REPLACED = "replaced", _("调整")


class ZoneDesignationQuerySet(models.QuerySet["ZoneDesignation"]):
    def visible_to(self, user: Any) -> "ZoneDesignationQuerySet":
        condition = _within_or_above(user, "place__path")
        return self if condition is None else self.filter(condition)

    def in_force(self, at: dt.datetime | None = None) -> "ZoneDesignationQuerySet":
        """Designations in force at `at` (now by default), within an incident not yet ended."""
        at = at or timezone.now()
        return self.filter(
            Q(effective_from__lte=at),
            Q(effective_until__isnull=True) | Q(effective_until__gt=at),
            Q(incident__ended_at__isnull=True) | Q(incident__ended_at__gt=at),
        )

    def active(self) -> "ZoneDesignationQuerySet":
        """Not lifted or replaced (it may start in the future if recorded ahead of time)."""
        return self.filter(effective_until__isnull=True)


class ZoneDesignation(AuditedModel):
    """A place designated a zone kind within an incident, for a span of time.

    `kind` is a code from the incident's policy edition (`rules.zone_kinds`); its name and rank
    at the time of the decision are kept too, so the record reads the same after the county
    switches edition, while pages show the kind as the edition now in force names it.
    """

    incident = models.ForeignKey(
        "incidents.Incident",
        verbose_name=_("响应事件"),
        on_delete=models.PROTECT,
        related_name="zone_designations",
    )
    place = models.ForeignKey(
        "places.Place",
        verbose_name=_("地点"),
        on_delete=models.PROTECT,
        related_name="zone_designations",
    )
    kind = models.CharField(_("区域类型"), max_length=40)
    kind_name = models.CharField(_("划定时名称"), max_length=40)
    kind_rank = models.PositiveSmallIntegerField(_("管控等级"))
    effective_from = models.DateTimeField(_("生效时间"), db_index=True)
    effective_until = models.DateTimeField(_("终止时间"), null=True, blank=True)
    ended_how = models.CharField(_("终止方式"), max_length=16, choices=ZoneEnd.choices, blank=True)
    reason = models.TextField(_("划定理由"))
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("决定人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("登记人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    recorded_at = models.DateTimeField(_("登记时间"), auto_now_add=True)
    supersedes = models.OneToOneField(
        "self",
        verbose_name=_("调整自"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="superseded_by",
    )
    end_reason = models.TextField(_("解除/调整理由"), blank=True)
    ended_decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("解除/调整决定人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    ended_recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("解除/调整登记人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )

    AUDIT_EXCLUDE = ("recorded_at",)

    objects = ZoneDesignationQuerySet.as_manager()

    class Meta:
        verbose_name = _("区域划定")
        verbose_name_plural = _("区域划定")
        ordering = ["-effective_from", "-id"]
        constraints = [
            # Two people designating the same place at once cannot both leave an open span.
            models.UniqueConstraint(
                fields=["incident", "place"],
                condition=Q(effective_until__isnull=True),
                name="zone_one_active_per_place",
            ),
            models.CheckConstraint(
                condition=Q(effective_until__isnull=True)
                | Q(effective_until__gte=models.F("effective_from")),
                name="zone_ends_after_start",
            ),
        ]
        indexes = [models.Index(fields=["incident", "effective_until"], name="zone_incident_open")]

    def __str__(self) -> str:
        return f"{self.place} {self.kind_name}"

    @property
    def is_active(self) -> bool:
        return self.effective_until is None


class _Recorded(AuditedModel):
    """Evidence entered by someone: who entered it and when (not when it happened)."""

    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("登记人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    recorded_at = models.DateTimeField(_("登记时间"), auto_now_add=True)

    AUDIT_EXCLUDE = ("recorded_at",)

    class Meta:
        abstract = True


class PositiveFindingQuerySet(models.QuerySet["PositiveFinding"]):
    def visible_to(self, user: Any) -> "PositiveFindingQuerySet":
        from tongxin.accounts.jurisdiction import jurisdiction_of

        # Where a case was found is itself sensitive: only inside the jurisdiction, not above.
        return self.filter(jurisdiction_of(user).q("place__path"))


class PositiveFinding(_Recorded):
    """A positive found at a place (a household, or a coarser node when that is all known)."""

    incident = models.ForeignKey(
        "incidents.Incident",
        verbose_name=_("响应事件"),
        on_delete=models.PROTECT,
        related_name="positive_findings",
    )
    place = models.ForeignKey(
        "places.Place", verbose_name=_("地点"), on_delete=models.PROTECT, related_name="+"
    )
    found_at = models.DateTimeField(_("发现时间"), db_index=True)
    source = models.CharField(_("来源"), max_length=200, blank=True)
    reference = models.CharField(_("来源编号"), max_length=100, blank=True)
    objects = PositiveFindingQuerySet.as_manager()

    class Meta:
        verbose_name = _("阳性发现")
        verbose_name_plural = _("阳性发现")
        ordering = ["-found_at", "-id"]

    def __str__(self) -> str:
        return f"{self.place} {timezone.localtime(self.found_at):%Y-%m-%d %H:%M}"


class AreaTestRoundQuerySet(models.QuerySet["AreaTestRound"]):
    def visible_to(self, user: Any) -> "AreaTestRoundQuerySet":
        condition = _within_or_above(user, "place__path")
        return self if condition is None else self.filter(condition)


class AreaTestRound(_Recorded):
    """A completed whole-area testing round of a place (everything under it was tested)."""

    incident = models.ForeignKey(
        "incidents.Incident",
        verbose_name=_("响应事件"),
        on_delete=models.PROTECT,
        related_name="area_test_rounds",
    )
    place = models.ForeignKey(
        "places.Place", verbose_name=_("区域"), on_delete=models.PROTECT, related_name="+"
    )
    completed_at = models.DateTimeField(_("完成时间"), db_index=True)
    all_negative = models.BooleanField(_("结果全部阴性"))
    reference = models.CharField(_("轮次编号"), max_length=100, blank=True)
    objects = AreaTestRoundQuerySet.as_manager()

    class Meta:
        verbose_name = _("区域核酸轮次")
        verbose_name_plural = _("区域核酸轮次")
        ordering = ["-completed_at", "-id"]

    def __str__(self) -> str:
        return f"{self.place} {timezone.localtime(self.completed_at):%Y-%m-%d %H:%M}"


class ProposalDismissal(AuditedModel):
    """The command post looked at a lifting proposal and decided not to act on it (yet).

    The proposal comes back once a newer all-negative whole-area round arrives, because that
    is new evidence; an accepted proposal needs no record here: it becomes a lift or change.
    """

    designation = models.ForeignKey(
        ZoneDesignation,
        verbose_name=_("区域划定"),
        on_delete=models.CASCADE,
        related_name="dismissals",
    )
    dismissed_at = models.DateTimeField(_("时间"))
    dismissed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("决定人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    note = models.TextField(_("说明"), blank=True)

    class Meta:
        verbose_name = _("不予解除记录")
        verbose_name_plural = _("不予解除记录")
        ordering = ["-dismissed_at"]

    def __str__(self) -> str:
        return f"{self.designation} {self.dismissed_at:%Y-%m-%d %H:%M}"


class DesignationProposalQuerySet(models.QuerySet["DesignationProposal"]):
    def visible_to(self, user: Any) -> "DesignationProposalQuerySet":
        from tongxin.accounts.jurisdiction import jurisdiction_of

        # A proposed household says where a contact lives: only inside the jurisdiction.
        return self.filter(jurisdiction_of(user).q("place__path"))

    def pending(self) -> "DesignationProposalQuerySet":
        return self.filter(status=ProposalStatus.PENDING)


class ProposalStatus(models.TextChoices):
    PENDING = "pending", _("待决定")
    ACCEPTED = "accepted", _("已划定")
    DISMISSED = "dismissed", _("不予划定")


class DesignationProposal(AuditedModel):
    """Another module proposes a place for a zone (tracing: a confirmed 密接's household); the
    zone team decides. It carries the reason only — never who the case or contact is."""

    incident = models.ForeignKey(
        "incidents.Incident",
        verbose_name=_("响应事件"),
        on_delete=models.PROTECT,
        related_name="designation_proposals",
    )
    place = models.ForeignKey(
        "places.Place", verbose_name=_("地点"), on_delete=models.PROTECT, related_name="+"
    )
    kind = models.CharField(_("建议区域类型"), max_length=40)
    reason = models.CharField(_("理由"), max_length=200)
    source = models.CharField(_("来源"), max_length=40)
    proposed_at = models.DateTimeField(_("提出时间"))
    status = models.CharField(
        _("状态"), max_length=12, choices=ProposalStatus.choices, default=ProposalStatus.PENDING
    )
    decided_at = models.DateTimeField(_("决定时间"), null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("决定人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    designation = models.ForeignKey(
        ZoneDesignation,
        verbose_name=_("区域划定"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    objects = DesignationProposalQuerySet.as_manager()

    class Meta:
        verbose_name = _("划定建议")
        verbose_name_plural = _("划定建议")
        ordering = ["proposed_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["incident", "place"],
                condition=Q(status="pending"),
                name="zone_one_pending_proposal_per_place",
            )
        ]

    def __str__(self) -> str:
        return f"{self.place} {self.kind}"
