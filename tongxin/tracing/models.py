"""流调: cases, their activities, venues and check-ins, contacts and each person's management.

Everything belongs to an incident (the retention clock). People are registry residents
(`people.Person`) or outside persons kept here with the same encrypted ID/phone handling.
"""

import contextlib
import datetime as dt
from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from tongxin.audit.signals import AuditedModel
from tongxin.core import idnumbers
from tongxin.core.fields import EncryptedTextField
from tongxin.core.personal import PersonalLookupQuerySet, document_columns, phone_columns
from tongxin.core.text import choice_label
from tongxin.people.models import DocumentType


def _perm(user: Any, name: str) -> bool:
    from tongxin.accounts.permissions import Perm, has_perm

    return has_perm(user, Perm(name))


def sees_cases(user: Any) -> bool:
    """Investigators and the command post see cases and who they are; nobody else does."""
    return _perm(user, "view_cases")


# --- vocabularies ---------------------------------------------------------------------------


class Level(models.TextChoices):
    CLOSE = "close", _("密接")
    SECONDARY = "secondary", _("次密接")
    COMPANION = "companion", _("时空伴随者")
    GENERAL = "general", _("一般接触者")


LEVEL_RANK: dict[str, int] = {
    Level.CLOSE: 4,
    Level.SECONDARY: 3,
    Level.COMPANION: 2,
    Level.GENERAL: 1,
    "": 0,
}


class ExposureType(models.TextChoices):
    HOUSEHOLD = "household", _("共同居住")
    BUILDING = "building", _("同楼道/同楼层")
    VENUE = "venue", _("同一场所")
    TRANSPORT = "transport", _("同乘交通工具")
    WORK = "work", _("工作")
    MEAL = "meal", _("聚餐")
    MEDICAL = "medical", _("医疗")
    OTHER = "other", _("其他")


class Classification(models.TextChoices):
    ASYMPTOMATIC = "asymptomatic", _("无症状感染者")
    MILD = "mild", _("确诊（轻型）")
    MODERATE = "moderate", _("确诊（普通型）")
    SEVERE = "severe", _("确诊（重型）")
    CRITICAL = "critical", _("确诊（危重型）")


class Channel(models.TextChoices):
    ISOLATION_SITE = "isolation_site", _("隔离点筛查")
    SEALED_ZONE = "sealed_zone", _("封控区筛查")
    KEY_GROUPS = "key_groups", _("重点人群")
    COMMUNITY = "community", _("社区筛查")
    CLINIC = "clinic", _("主动就诊")
    ASSIST = "assist", _("外地协查")


class CaseStatus(models.TextChoices):
    INVESTIGATING = "investigating", _("调查中")
    CORE_DONE = "core_done", _("核心信息已报")
    REPORTED = "reported", _("报告已完成")
    CLOSED = "closed", _("已结案")


class VenueKind(models.TextChoices):
    SUPERMARKET = "supermarket", _("超市/商场")
    MARKET = "market", _("农贸市场")
    RESTAURANT = "restaurant", _("餐饮")
    HOSPITAL = "hospital", _("医疗机构")
    SCHOOL = "school", _("学校")
    WORKPLACE = "workplace", _("单位/工厂")
    TRANSPORT = "transport", _("交通工具/站点")
    ENTERTAINMENT = "entertainment", _("娱乐场所")
    OTHER = "other", _("其他")


class ContactStatus(models.TextChoices):
    CANDIDATE = "candidate", _("待确认")
    CONFIRMED = "confirmed", _("已确认")
    REJECTED = "rejected", _("已排除")


class ManagementStatus(models.TextChoices):
    CANDIDATE = "candidate", _("待确认")
    DUE = "due", _("待管控")
    ISOLATED = "isolated", _("已集中隔离")
    HOME = "home", _("居家管控")
    RELEASED = "released", _("已解除")
    BECAME_CASE = "became_case", _("已转为病例")


class Measure(models.TextChoices):
    CENTRALIZED = "centralized", _("集中隔离")
    HOME_ISOLATION = "home_isolation", _("居家隔离")
    TESTING = "testing", _("核酸检测")
    MONITORING = "monitoring", _("健康监测")


# --- outside persons ------------------------------------------------------------------------


class OutsidePersonQuerySet(PersonalLookupQuerySet["OutsidePerson"]):
    def visible_to(self, user: Any) -> "OutsidePersonQuerySet":
        """People not in the registry have no household to scope by: tracing roles only."""
        return self if sees_cases(user) else self.none()


class OutsidePerson(AuditedModel):
    """Someone met in an investigation who is not in the county's registry (a visitor, a
    person from a check-in export, a contact in another county's 协查 list)."""

    incident = models.ForeignKey("incidents.Incident", on_delete=models.PROTECT, related_name="+")
    name = models.CharField(_("姓名"), max_length=50, blank=True)
    document_type = models.CharField(
        _("证件类型"), max_length=16, choices=DocumentType.choices, default=DocumentType.RESIDENT_ID
    )
    document_number = EncryptedTextField(_("证件号码"), blank=True)
    document_bidx = models.CharField(max_length=40, blank=True, db_index=True, editable=False)
    document_masked = models.CharField(_("证件号码"), max_length=40, blank=True, editable=False)
    document_last4 = models.CharField(max_length=4, blank=True, editable=False)
    phone = EncryptedTextField(_("手机号"), blank=True)
    phone_bidx = models.CharField(max_length=40, blank=True, db_index=True, editable=False)
    phone_masked = models.CharField(_("手机号"), max_length=20, blank=True, editable=False)
    phone_last4 = models.CharField(max_length=4, blank=True, editable=False)
    region_code = models.CharField(_("户籍/居住地区划"), max_length=12, blank=True)
    county = models.CharField(_("所在县（市、区）"), max_length=100, blank=True)
    address = models.CharField(_("现住址"), max_length=300, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    AUDIT_EXCLUDE = ("document_bidx", "document_last4", "phone_bidx", "phone_last4", "created_at")
    AUDIT_SECRET = {"document_number": "document_masked", "phone": "phone_masked"}

    objects = OutsidePersonQuerySet.as_manager()

    class Meta:
        verbose_name = _("外来人员")
        verbose_name_plural = _("外来人员")

    def __str__(self) -> str:
        return self.document_masked or self.phone_masked or str(self.pk)

    def derive_lookup_fields(self) -> None:
        number = self.document_number or ""
        self.document_bidx, self.document_masked, self.document_last4 = document_columns(
            self.document_type, number
        )
        if number and self.document_type == DocumentType.RESIDENT_ID and not self.region_code:
            with contextlib.suppress(idnumbers.InvalidIdNumber):
                idnumbers.parse(number)
                self.region_code = number[:6]
        self.phone_bidx, self.phone_masked, self.phone_last4 = phone_columns(self.phone)

    def save(self, *args: Any, **kwargs: Any) -> None:
        if not self.get_deferred_fields() & {"document_number", "phone"}:
            self.derive_lookup_fields()
        super().save(*args, **kwargs)


# --- venues and check-ins -------------------------------------------------------------------


class VenueQuerySet(models.QuerySet["Venue"]):
    def visible_to(self, user: Any) -> "VenueQuerySet":
        """Venues are public places, not personal data: every tracing role sees them."""
        return self if _perm(user, "view_contacts") else self.none()


class Venue(AuditedModel):
    """场所: a public place with its venue code (场所码)."""

    code = models.CharField(_("场所码"), max_length=64, unique=True)
    name = models.CharField(_("名称"), max_length=200)
    kind = models.CharField(
        _("类型"), max_length=16, choices=VenueKind.choices, default=VenueKind.OTHER
    )
    address = models.CharField(_("地址"), max_length=300, blank=True)
    place = models.ForeignKey(
        "places.Place",
        verbose_name=_("所在地点"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    latitude = models.DecimalField(_("纬度"), max_digits=9, decimal_places=6, null=True, blank=True)
    longitude = models.DecimalField(
        _("经度"), max_digits=9, decimal_places=6, null=True, blank=True
    )
    created_at = models.DateTimeField(auto_now_add=True)

    AUDIT_EXCLUDE = ("created_at",)

    objects = VenueQuerySet.as_manager()

    class Meta:
        verbose_name = _("场所")
        verbose_name_plural = _("场所")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class CheckInQuerySet(models.QuerySet["CheckIn"]):
    def visible_to(self, user: Any) -> "CheckInQuerySet":
        return self if sees_cases(user) else self.none()

    def overlapping(
        self, start: dt.datetime, end: dt.datetime, max_stay: dt.timedelta | None = None
    ) -> "CheckInQuerySet":
        """Stays overlapping [start, end). With the edition's longest stay, the entry time is
        bounded on both sides, so the (venue|person, entered_at) indexes give a range scan."""
        qs = self.filter(entered_at__lt=end, left_at__gt=start)
        return qs.filter(entered_at__gt=start - max_stay) if max_stay is not None else qs

    def of_subject(self, person_id: int | None, outside_person_id: int | None) -> "CheckInQuerySet":
        if person_id:
            return self.filter(person_id=person_id)
        if outside_person_id:
            return self.filter(outside_person_id=outside_person_id)
        return self.none()


class CheckIn(models.Model):
    """扫码记录: one scan of a venue code. The person is matched by blind index; nobody is dropped
    (unmatched people become outside persons). `left_at` is the exit time, or the entry plus the
    venue kind's default stay in the incident's edition. Bulk-written: not audited per row."""

    # The composite indexes below serve these keys; no separate index per foreign key (each
    # index is paid for by every one of ten million inserts). No foreign-key constraint in the
    # database either (db_constraint=False): the importer writes only ids it has just resolved,
    # and checking four keys per row at commit took about as long as the insert itself.
    # Django's PROTECT still refuses to delete a venue, person or incident with check-ins.
    incident = models.ForeignKey(
        "incidents.Incident",
        on_delete=models.PROTECT,
        related_name="+",
        db_index=False,
        db_constraint=False,
    )
    venue = models.ForeignKey(
        Venue,
        on_delete=models.PROTECT,
        related_name="checkins",
        db_index=False,
        db_constraint=False,
    )
    person = models.ForeignKey(
        "people.Person",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        db_index=False,
        db_constraint=False,
    )
    outside_person = models.ForeignKey(
        OutsidePerson,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="checkins",
        db_index=False,
        db_constraint=False,
    )
    entered_at = models.DateTimeField(_("进入时间"))
    exited_at = models.DateTimeField(_("离开时间"), null=True, blank=True)
    left_at = models.DateTimeField(_("停留至"))
    # The scan's idempotency key: uuid5 of the incident, venue code, the person's blind index and
    # the entry second (services.checkins). Unique together with the venue and the entry time
    # (below), which the key determines: one index serves idempotency and co-presence, and its
    # inserts land where the venue's other scans of that hour are, not at random.
    row_key = models.UUIDField(editable=False)

    objects = CheckInQuerySet.as_manager()

    class Meta:
        verbose_name = _("扫码记录")
        verbose_name_plural = _("扫码记录")
        indexes = [
            # Partial: a scan is by a resident or by an outside person, never both, so each
            # index holds only its own rows (nine in ten scans are residents': the outside
            # persons' index is a tenth of the size and costs a tenth of the inserts). A query
            # `person_id = %s` implies `person_id IS NOT NULL`: both backends use them.
            models.Index(
                fields=["person", "entered_at"],
                name="checkin_person_time",
                condition=Q(person__isnull=False),
            ),
            models.Index(
                fields=["outside_person", "entered_at"],
                name="checkin_outside_time",
                condition=Q(outside_person__isnull=False),
            ),
            # No index on the incident alone: every query names a venue or a person too, the
            # purge walks the primary key (services.purge) and a count reads the table.
        ]
        constraints = [
            # Idempotency (the key is unique: it names the venue and the entry second, so it is
            # unique with them) and co-presence's range of a venue's entry times, in one index.
            models.UniqueConstraint(
                fields=["venue", "entered_at", "row_key"], name="checkin_venue_time_key"
            ),
            models.CheckConstraint(
                condition=Q(person__isnull=False) | Q(outside_person__isnull=False),
                name="checkin_has_someone",
            ),
            models.CheckConstraint(
                condition=Q(left_at__gte=models.F("entered_at")), name="checkin_leaves_after"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.venue_id} {self.entered_at:%Y-%m-%d %H:%M}"


# --- cases ----------------------------------------------------------------------------------


class CaseQuerySet(models.QuerySet["Case"]):
    def visible_to(self, user: Any) -> "CaseQuerySet":
        """A case's identity is for investigators and the command post only."""
        return self if sees_cases(user) else self.none()

    def of(self, incident: Any) -> "CaseQuerySet":
        return self.filter(incident=incident)


class Case(AuditedModel):
    """病例: numbered within its incident (病例1 …), which is what every public or grid-facing
    text says instead of a name."""

    incident = models.ForeignKey(
        "incidents.Incident", on_delete=models.PROTECT, related_name="cases"
    )
    number = models.PositiveIntegerField(_("病例编号"))
    person = models.ForeignKey(
        "people.Person",
        verbose_name=_("居民"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    outside_person = models.ForeignKey(
        OutsidePerson,
        verbose_name=_("外来人员"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    classification = models.CharField(
        _("分类"),
        max_length=16,
        choices=Classification.choices,
        default=Classification.ASYMPTOMATIC,
    )
    onset_date = models.DateField(_("发病日期"), null=True, blank=True)
    first_positive_at = models.DateTimeField(_("首次阳性采样时间"), null=True, blank=True)
    positive = models.ForeignKey(
        "sampling.PositivePerson",
        verbose_name=_("阳性记录"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    channel = models.CharField(_("发现途径"), max_length=16, choices=Channel.choices)
    reported_at = models.DateTimeField(_("报告时间"))
    investigators = models.ManyToManyField(
        settings.AUTH_USER_MODEL, verbose_name=_("流调人员"), blank=True, related_name="+"
    )
    status = models.CharField(
        _("调查状态"), max_length=16, choices=CaseStatus.choices, default=CaseStatus.INVESTIGATING
    )
    core_done_at = models.DateTimeField(_("核心信息上报时间"), null=True, blank=True)
    report_done_at = models.DateTimeField(_("流调报告完成时间"), null=True, blank=True)
    source_case = models.ForeignKey(
        "self",
        verbose_name=_("传染来源"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="infected",
    )
    notes = models.TextField(_("备注"), blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    AUDIT_EXCLUDE = ("created_at",)

    objects = CaseQuerySet.as_manager()

    class Meta:
        verbose_name = _("病例")
        verbose_name_plural = _("病例")
        ordering = ["incident", "number"]
        constraints = [
            models.UniqueConstraint(fields=["incident", "number"], name="case_unique_number"),
            models.UniqueConstraint(
                fields=["incident", "person"],
                condition=Q(person__isnull=False),
                name="case_unique_person",
            ),
            models.UniqueConstraint(
                fields=["incident", "outside_person"],
                condition=Q(outside_person__isnull=False),
                name="case_unique_outside_person",
            ),
            models.CheckConstraint(
                condition=Q(person__isnull=False) | Q(outside_person__isnull=False),
                name="case_has_someone",
            ),
        ]

    def __str__(self) -> str:
        return self.label

    @property
    def label(self) -> str:
        return f"病例{self.number}"

    @property
    def is_confirmed(self) -> bool:
        return self.classification != Classification.ASYMPTOMATIC


class ClassificationChange(models.Model):
    """The case's classification history: an asymptomatic case converted to confirmed keeps one
    record, with every change here."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="classifications")
    classification = models.CharField(_("分类"), max_length=16, choices=Classification.choices)
    at = models.DateTimeField(_("时间"))
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["at", "pk"]

    def __str__(self) -> str:
        return f"{self.case_id} {self.classification}"


# --- each person's management and the contacts behind it ------------------------------------


class ManagementQuerySet(models.QuerySet["Management"]):
    def visible_to(self, user: Any) -> "ManagementQuerySet":
        """Investigators and the command post: all. Units and grid staff: the confirmed contacts
        living in their area (level, dates and tasks; never the case)."""
        from tongxin.accounts.jurisdiction import jurisdiction_of

        if sees_cases(user):
            return self
        if not _perm(user, "view_contacts"):
            return self.none()
        j = jurisdiction_of(user)
        return self.exclude(status=ManagementStatus.CANDIDATE).exclude(path="").filter(j.q("path"))

    def confirmed(self) -> "ManagementQuerySet":
        return self.exclude(status=ManagementStatus.CANDIDATE)


class Management(AuditedModel):
    """One person in one incident: the highest level over their confirmed contacts, the latest
    end of management, the measure and test days from the edition, and when they were isolated.
    """

    # Derivation writes tens of thousands of these at once (次密接 of 50 密接): every index and
    # checked key is paid per row. The incident's index is served by the composite ones below;
    # keys that are mostly empty are indexed where set. As for check-ins, the database checks
    # none of the keys (db_constraint=False): derivation writes only ids it has just read, and
    # each check at commit locked the person's and the household's row (≈ 6 µs each, 0.6 s
    # for 50 密接's 次密接). Django's PROTECT still refuses to delete a person, household or
    # incident with records, and an incident's records are purged child-first.
    incident = models.ForeignKey(
        "incidents.Incident",
        on_delete=models.PROTECT,
        related_name="+",
        db_index=False,
        db_constraint=False,
    )
    person = models.ForeignKey(
        "people.Person",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        db_constraint=False,
    )
    outside_person = models.ForeignKey(
        OutsidePerson,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        db_index=False,
        db_constraint=False,
    )
    household = models.ForeignKey(
        "places.Place",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        db_constraint=False,
    )
    path = models.CharField(max_length=255, blank=True)  # the household's, for scoping
    level = models.CharField(_("级别"), max_length=16, choices=Level.choices, blank=True)
    status = models.CharField(
        _("管控状态"),
        max_length=16,
        choices=ManagementStatus.choices,
        default=ManagementStatus.CANDIDATE,
    )
    measure = models.CharField(_("管控措施"), max_length=16, choices=Measure.choices, blank=True)
    first_exposure = models.DateTimeField(_("首次暴露"), null=True, blank=True)
    last_exposure = models.DateTimeField(_("末次暴露"), null=True, blank=True)
    ends_on = models.DateField(_("管控截止日期"), null=True, blank=True)
    test_dates = models.JSONField(_("应检日期"), default=list, blank=True)
    edition_code = models.CharField(_("方案"), max_length=40, blank=True)
    isolated_at = models.DateTimeField(_("隔离时间"), null=True, blank=True)
    became_case = models.ForeignKey(
        Case, null=True, blank=True, on_delete=models.SET_NULL, related_name="+", db_index=False
    )
    updated_at = models.DateTimeField(auto_now=True)

    AUDIT_EXCLUDE = ("path", "updated_at", "test_dates")

    objects = ManagementQuerySet.as_manager()

    class Meta:
        verbose_name = _("管控对象")
        verbose_name_plural = _("管控对象")
        constraints = [
            models.UniqueConstraint(
                fields=["incident", "person"],
                condition=Q(person__isnull=False),
                name="management_unique_person",
            ),
            models.UniqueConstraint(
                fields=["incident", "outside_person"],
                condition=Q(outside_person__isnull=False),
                name="management_unique_outside_person",
            ),
            models.CheckConstraint(
                condition=Q(person__isnull=False) | Q(outside_person__isnull=False),
                name="management_has_someone",
            ),
        ]
        indexes = [
            models.Index(fields=["incident", "level", "status"], name="management_level_status"),
            models.Index(
                fields=["path"], name="management_path", opclasses=["varchar_pattern_ops"]
            ),
            models.Index(
                fields=["outside_person"],
                condition=Q(outside_person__isnull=False),
                name="management_outside_person",
            ),
            models.Index(
                fields=["became_case"],
                condition=Q(became_case__isnull=False),
                name="management_became_case",
            ),
        ]

    def __str__(self) -> str:
        return self.label_of(choice_label(Level, self.level), self.pk)

    @staticmethod
    def label_of(level_label: str, pk: object) -> str:
        """`str()` of a record from its level's label (bulk audit labels)."""
        return f"{level_label or '-'} #{pk}"

    @property
    def who(self) -> "Any":
        """The person (a resident or an outside person) this record manages."""
        return self.person or self.outside_person


class ContactQuerySet(models.QuerySet["Contact"]):
    def visible_to(self, user: Any) -> "ContactQuerySet":
        """Links name their source case: investigators and the command post only."""
        return self if sees_cases(user) else self.none()

    def confirmed(self) -> "ContactQuerySet":
        return self.filter(status=ContactStatus.CONFIRMED)

    def candidates(self) -> "ContactQuerySet":
        return self.filter(status=ContactStatus.CANDIDATE)


class Contact(AuditedModel):
    """A link from a person (their management record) to one source: a case, a 密接 (for a
    次密接), or a case in another county (an incoming 协查 row)."""

    # Written by the ten thousand, like Management (above): the incident's index is served by
    # `contact_status_level`, the sources' indexes hold only the links that have that source,
    # and the keys within the incident's own tracing records are not checked by the database
    # (derivation writes only ids it has just read or inserted in the same transaction; the
    # records are deleted only by the incident's purge, children first). Django's CASCADE
    # still deletes the links of a deleted record.
    incident = models.ForeignKey(
        "incidents.Incident",
        on_delete=models.PROTECT,
        related_name="+",
        db_index=False,
        db_constraint=False,
    )
    management = models.ForeignKey(
        Management, on_delete=models.CASCADE, related_name="contacts", db_constraint=False
    )
    source_case = models.ForeignKey(
        Case,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="contacts",
        db_index=False,
        db_constraint=False,
    )
    source_management = models.ForeignKey(
        Management,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="exposed",
        db_index=False,
        db_constraint=False,
    )
    external_source = models.CharField(_("外地来源"), max_length=200, blank=True)
    exposure_type = models.CharField(_("接触方式"), max_length=16, choices=ExposureType.choices)
    first_exposure = models.DateTimeField(_("首次接触"))
    last_exposure = models.DateTimeField(_("末次接触"))
    level = models.CharField(_("级别"), max_length=16, choices=Level.choices)
    reason = models.CharField(_("判定依据"), max_length=300, blank=True)
    rule = models.CharField(max_length=32, blank=True)  # which derivation rule proposed it
    status = models.CharField(
        _("状态"), max_length=16, choices=ContactStatus.choices, default=ContactStatus.CANDIDATE
    )
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        db_index=False,
    )
    confirmed_at = models.DateTimeField(_("确认时间"), null=True, blank=True)
    assist_batch = models.ForeignKey(
        "AssistBatch",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="contacts",
        db_index=False,
    )
    created_at = models.DateTimeField(auto_now_add=True)

    AUDIT_EXCLUDE = ("created_at",)

    objects = ContactQuerySet.as_manager()

    class Meta:
        verbose_name = _("接触关系")
        verbose_name_plural = _("接触关系")
        constraints = [
            models.UniqueConstraint(
                fields=["management", "source_case", "exposure_type"],
                condition=Q(source_case__isnull=False),
                name="contact_unique_case_source",
            ),
            models.UniqueConstraint(
                fields=["management", "source_management", "exposure_type"],
                condition=Q(source_management__isnull=False),
                name="contact_unique_contact_source",
            ),
        ]
        indexes = [
            models.Index(fields=["incident", "status", "level"], name="contact_status_level"),
            *(
                models.Index(
                    fields=[key],
                    condition=Q(**{f"{key}__isnull": False}),
                    name=f"contact_{key}",
                )
                for key in ("source_case", "source_management", "confirmed_by", "assist_batch")
            ),
        ]

    def __str__(self) -> str:
        return self.label_of(self.level, self.exposure_type)

    @staticmethod
    def label_of(level: str, exposure_type: str) -> str:
        """`str()` of a link of this level and exposure type (bulk audit labels)."""
        return f"{choice_label(Level, level)} · {choice_label(ExposureType, exposure_type)}"


class Stay(AuditedModel):
    """One stay in a case's (or a 密接's) activity timeline (活动轨迹)."""

    incident = models.ForeignKey("incidents.Incident", on_delete=models.PROTECT, related_name="+")
    case = models.ForeignKey(
        Case, null=True, blank=True, on_delete=models.CASCADE, related_name="stays"
    )
    management = models.ForeignKey(
        Management, null=True, blank=True, on_delete=models.CASCADE, related_name="stays"
    )
    venue = models.ForeignKey(
        Venue, verbose_name=_("场所"), null=True, blank=True, on_delete=models.PROTECT
    )
    place = models.ForeignKey(
        "places.Place",
        verbose_name=_("地点"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    address = models.CharField(_("地址"), max_length=300, blank=True)
    started_at = models.DateTimeField(_("开始时间"))
    ended_at = models.DateTimeField(_("结束时间"))
    crowd = models.CharField(_("人员密集程度"), max_length=100, blank=True)
    ventilation = models.CharField(_("通风情况"), max_length=100, blank=True)
    masks = models.CharField(_("佩戴口罩"), max_length=100, blank=True)
    companions = models.CharField(_("同行人员"), max_length=300, blank=True)
    note = models.CharField(_("说明"), max_length=300, blank=True)
    from_checkin = models.ForeignKey(
        CheckIn, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    public = models.BooleanField(_("公布"), default=True)

    class Meta:
        verbose_name = _("活动轨迹")
        verbose_name_plural = _("活动轨迹")
        ordering = ["started_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(ended_at__gte=models.F("started_at")), name="stay_ends_after_start"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.started_at:%m-%d %H:%M}–{self.ended_at:%H:%M}"


class ImportBatch(models.Model):
    """One check-in file or bulk upload, by its client id: the same batch twice stores once."""

    incident = models.ForeignKey("incidents.Incident", on_delete=models.PROTECT, related_name="+")
    client_id = models.CharField(max_length=100)
    name = models.CharField(max_length=255, blank=True)
    imported_at = models.DateTimeField()
    imported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    summary = models.JSONField(default=dict)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["incident", "client_id"], name="import_batch_unique")
        ]

    def __str__(self) -> str:
        return self.name or self.client_id


class AssistBatch(models.Model):
    """An incoming 协查 list from another county."""

    incident = models.ForeignKey("incidents.Incident", on_delete=models.PROTECT, related_name="+")
    from_county = models.CharField(_("发函地"), max_length=100)
    name = models.CharField(_("文件"), max_length=255, blank=True)
    digest = models.CharField(max_length=64)
    imported_at = models.DateTimeField()
    imported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    summary = models.JSONField(default=dict)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["incident", "digest"], name="assist_batch_unique")
        ]

    def __str__(self) -> str:
        return f"{self.from_county} {self.name}"
