"""Reinforcement teams, members (staff and volunteers), posts, shifts, check-ins and temporary
party branches (临时党支部).

Members' phones and ID numbers are encrypted like residents' (blind index for exact lookup,
masked form for lists). A member's shifts never overlap: assignments copy their shift's times
and are written while the member's row is locked (services.shifts.assign).
"""

import datetime as dt
from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from tongxin.audit.signals import AuditedModel
from tongxin.core.fields import EncryptedTextField
from tongxin.core.personal import (
    RESIDENT_ID_INDEX,
    PersonalLookupQuerySet,
    document_columns,
    phone_columns,
)


class TeamKind(models.TextChoices):
    MEDICAL = "medical", _("医疗")
    POLICE = "police", _("公安")
    TRANSPORT = "transport", _("交通运输")
    RESCUE = "rescue", _("救援")
    CADRES = "cadres", _("党员干部")
    VOLUNTEERS = "volunteers", _("志愿者")
    OTHER = "other", _("其他")


class Qualification(models.TextChoices):
    SAMPLING = "sampling", _("采样")
    TESTING = "testing", _("检测")
    TRACING = "tracing", _("流调")
    MEDICAL = "medical", _("医护")
    POLICE = "police", _("公安")
    DRIVER = "driver", _("司机")
    PSYCH = "psych", _("心理")
    REGISTRAR = "registrar", _("登记")
    OTHER = "other", _("其他")


class PartyStatus(models.TextChoices):
    NONE = "", _("非党员")
    FULL = "full", _("正式党员")
    PROBATIONARY = "probationary", _("预备党员")
    APPLICANT = "applicant", _("入党申请人")


PARTY_MEMBERS = (PartyStatus.FULL, PartyStatus.PROBATIONARY)


class Verification(models.TextChoices):
    PENDING = "pending", _("待核验")
    VERIFIED = "verified", _("已核验")
    REJECTED = "rejected", _("未通过")


def _jurisdiction(user: Any) -> Any:
    from tongxin.accounts.jurisdiction import jurisdiction_of

    return jurisdiction_of(user)


class TeamQuerySet(models.QuerySet["Team"]):
    def visible_to(self, user: Any) -> "TeamQuerySet":
        from tongxin.accounts.permissions import Perm, has_perm

        if not has_perm(user, Perm.VIEW_WORKFORCE):
            return self.none()
        if _jurisdiction(user).everywhere:
            return self
        unit_id = getattr(user, "unit_id", None)
        return self.filter(unit_id=unit_id) if unit_id else self.none()


class Team(AuditedModel):
    """A reinforcement team or working group (驰援队伍、工作专班)."""

    incident = models.ForeignKey(
        "incidents.Incident", on_delete=models.PROTECT, related_name="workforce_teams"
    )
    name = models.CharField(_("队伍名称"), max_length=100)
    kind = models.CharField(_("类别"), max_length=16, choices=TeamKind.choices)
    sending_org = models.CharField(_("派出单位"), max_length=100, blank=True)
    unit = models.ForeignKey(
        "units.Unit",
        verbose_name=_("对应单位"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="workforce_teams",
    )
    leader = models.ForeignKey(
        "Member",
        verbose_name=_("领队"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    arrived_on = models.DateField(_("抵达日期"), null=True, blank=True)
    departs_on = models.DateField(_("计划撤离日期"), null=True, blank=True)
    lodging = models.CharField(_("住宿地点"), max_length=200, blank=True)
    closed_loop = models.BooleanField(_("闭环管理（集中住宿）"), default=False)
    test_every_days = models.PositiveSmallIntegerField(
        _("核酸检测频次（天）"), null=True, blank=True
    )
    demobilised_on = models.DateField(_("撤离日期"), null=True, blank=True)
    observation_until = models.DateField(_("撤离后健康观察至"), null=True, blank=True)
    notes = models.TextField(_("备注"), blank=True)

    objects = TeamQuerySet.as_manager()

    class Meta:
        verbose_name = _("驰援队伍")
        verbose_name_plural = _("驰援队伍")
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["incident", "name"], name="workforce_team_unique_name")
        ]

    def __str__(self) -> str:
        return self.name


class OrgKind(models.TextChoices):
    RESCUE = "rescue", _("救援队")
    SOCIAL = "social", _("社会组织")
    COURIERS = "couriers", _("快递外卖")
    STUDENTS = "students", _("学生")
    OTHER = "other", _("其他")


class VolunteerOrg(AuditedModel):
    """志愿组织, with its own coordinator."""

    incident = models.ForeignKey(
        "incidents.Incident", on_delete=models.PROTECT, related_name="volunteer_orgs"
    )
    name = models.CharField(_("组织名称"), max_length=100)
    kind = models.CharField(_("类别"), max_length=16, choices=OrgKind.choices)
    coordinator = models.ForeignKey(
        "Member",
        verbose_name=_("协调人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        verbose_name = _("志愿组织")
        verbose_name_plural = _("志愿组织")
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["incident", "name"], name="volunteer_org_unique_name")
        ]

    def __str__(self) -> str:
        return self.name


class MemberQuerySet(PersonalLookupQuerySet["Member"]):
    def visible_to(self, user: Any) -> "MemberQuerySet":
        """The county for county-wide roles; otherwise members of the user's unit's teams and
        volunteers living in the user's jurisdiction; and always the user's own record."""
        from tongxin.accounts.permissions import Perm, has_perm

        if user is None or not getattr(user, "is_authenticated", False) or not user.is_active:
            return self.none()
        own = Q(user_id=user.pk)
        if not has_perm(user, Perm.VIEW_WORKFORCE):
            return self.filter(own)
        jurisdiction = _jurisdiction(user)
        if jurisdiction.everywhere:
            return self
        condition = own
        unit_id = getattr(user, "unit_id", None)
        if unit_id:
            condition |= Q(team__unit_id=unit_id)
        if jurisdiction.paths:
            condition |= jurisdiction.q("area__path")
        return self.filter(condition)

    def party(self) -> "MemberQuerySet":
        return self.filter(party_status__in=PARTY_MEMBERS)


class Member(AuditedModel):
    """Someone who works a shift: reinforcement staff, local cadres, volunteers."""

    incident = models.ForeignKey(
        "incidents.Incident", on_delete=models.PROTECT, related_name="workforce_members"
    )
    team = models.ForeignKey(
        Team,
        verbose_name=_("所属队伍"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="members",
    )
    organisation = models.ForeignKey(
        VolunteerOrg,
        verbose_name=_("志愿组织"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="members",
    )
    is_volunteer = models.BooleanField(_("志愿者"), default=False)
    name = models.CharField(_("姓名"), max_length=50)
    phone = EncryptedTextField(_("手机号"))
    phone_bidx = models.CharField(max_length=40, db_index=True, editable=False)
    phone_masked = models.CharField(_("手机号"), max_length=20, editable=False)
    document_number = EncryptedTextField(_("身份证号"), blank=True)
    document_bidx = models.CharField(max_length=40, blank=True, db_index=True, editable=False)
    document_masked = models.CharField(_("身份证号"), max_length=40, blank=True, editable=False)
    qualifications = models.JSONField(_("资质"), default=list, blank=True)
    party_status = models.CharField(
        _("政治面貌"), max_length=16, choices=PartyStatus.choices, default="", blank=True
    )
    skills = models.CharField(_("特长"), max_length=200, blank=True)
    availability = models.CharField(_("可服务时间"), max_length=200, blank=True)
    area = models.ForeignKey(
        "places.Place",
        verbose_name=_("所在区域"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    # The registry household found from the ID number: where the zone rules read from.
    home = models.ForeignKey(
        "places.Place",
        verbose_name=_("户籍登记住户"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("登录账号"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="workforce_member",
    )
    verification = models.CharField(
        _("核验"), max_length=16, choices=Verification.choices, default=Verification.VERIFIED
    )
    verified_at = models.DateTimeField(_("核验时间"), null=True, blank=True)
    verified_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("核验人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    AUDIT_EXCLUDE = ("phone_bidx", "document_bidx", "created_at", "updated_at")
    AUDIT_SECRET = {"phone": "phone_masked", "document_number": "document_masked"}

    objects = MemberQuerySet.as_manager()

    class Meta:
        verbose_name = _("工作人员/志愿者")
        verbose_name_plural = _("工作人员/志愿者")
        ordering = ["name", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["incident", "phone_bidx"], name="workforce_member_unique_phone"
            )
        ]

    def __str__(self) -> str:
        return f"{self.name} {self.phone_masked}"

    def derive_lookup_fields(self) -> None:
        deferred = self.get_deferred_fields()
        if "phone" not in deferred:
            self.phone_bidx, self.phone_masked, _ = phone_columns(self.phone)
        if "document_number" not in deferred:
            number = self.document_number or ""
            self.document_bidx, self.document_masked, _ = document_columns(
                RESIDENT_ID_INDEX, number
            )

    def save(self, *args: Any, **kwargs: Any) -> None:
        self.derive_lookup_fields()
        super().save(*args, **kwargs)

    @property
    def is_party_member(self) -> bool:
        return self.party_status in PARTY_MEMBERS

    def qualification_labels(self) -> list[str]:
        names = dict(Qualification.choices)
        return [str(names.get(q, q)) for q in self.qualifications]


class PostKind(models.TextChoices):
    TEST_POINT = "test_point", _("采样点")
    ISOLATION_SITE = "isolation_site", _("隔离点")
    CHECKPOINT = "checkpoint", _("卡口")
    STAIRWELL = "stairwell", _("封控楼道")
    TRANSFER = "transfer", _("转运")
    HELPDESK = "helpdesk", _("求助平台")
    WAREHOUSE = "warehouse", _("物资仓库")
    CLEAR_BUILDINGS = "clear_buildings", _("包区清楼提醒")
    CARRY_SUPPLIES = "carry_supplies", _("搬运物资")
    PHONE_REMINDERS = "phone_reminders", _("电话提醒")
    ELDERLY_HELP = "elderly_help", _("上门帮扶老人")
    OTHER = "other", _("其他")


VOLUNTEER_TASKS = (
    PostKind.CLEAR_BUILDINGS,
    PostKind.CARRY_SUPPLIES,
    PostKind.PHONE_REMINDERS,
    PostKind.ELDERLY_HELP,
)


class PostQuerySet(models.QuerySet["Post"]):
    def visible_to(self, user: Any) -> "PostQuerySet":
        from tongxin.accounts.permissions import Perm, has_perm

        if not has_perm(user, Perm.VIEW_WORKFORCE):
            return self.none()
        jurisdiction = _jurisdiction(user)
        if jurisdiction.everywhere:
            return self
        return self.filter(jurisdiction.q("place__path"))


class Post(AuditedModel):
    """岗位: where people are needed. Points at a place, a test point or a site by name (an
    isolation site is named, not linked: the isolation module is optional)."""

    incident = models.ForeignKey(
        "incidents.Incident", on_delete=models.PROTECT, related_name="workforce_posts"
    )
    name = models.CharField(_("岗位名称"), max_length=100)
    kind = models.CharField(_("类别"), max_length=20, choices=PostKind.choices)
    code = models.CharField(_("岗位码"), max_length=12, unique=True)
    place = models.ForeignKey(
        "places.Place",
        verbose_name=_("地点"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="workforce_posts",
    )
    test_point = models.ForeignKey(
        "testing.TestPoint",
        verbose_name=_("采样点"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="workforce_posts",
    )
    site_name = models.CharField(_("场所名称"), max_length=100, blank=True)
    active = models.BooleanField(_("启用"), default=True)

    objects = PostQuerySet.as_manager()

    class Meta:
        verbose_name = _("岗位")
        verbose_name_plural = _("岗位")
        ordering = ["name", "pk"]

    def __str__(self) -> str:
        return self.name


class Shift(models.Model):
    post = models.ForeignKey(Post, on_delete=models.CASCADE, related_name="shifts")
    starts_at = models.DateTimeField(_("开始"))
    ends_at = models.DateTimeField(_("结束"))
    label = models.CharField(_("班次"), max_length=40, blank=True)

    class Meta:
        verbose_name = _("班次")
        verbose_name_plural = _("班次")
        ordering = ["starts_at", "post_id", "pk"]
        indexes = [models.Index(fields=["starts_at", "ends_at"], name="workforce_shift_times")]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_at__gt=models.F("starts_at")), name="workforce_shift_positive"
            )
        ]

    def __str__(self) -> str:
        return f"{self.post} {self.starts_at:%m-%d %H:%M}"

    @property
    def hours(self) -> float:
        return (self.ends_at - self.starts_at).total_seconds() / 3600


class ShiftDemand(models.Model):
    """How many people of a qualification a shift needs (6 samplers, 2 registrars)."""

    shift = models.ForeignKey(Shift, on_delete=models.CASCADE, related_name="demands")
    qualification = models.CharField(_("资质"), max_length=16, choices=Qualification.choices)
    count = models.PositiveSmallIntegerField(_("需要人数"))

    class Meta:
        verbose_name = _("班次需求")
        verbose_name_plural = _("班次需求")
        constraints = [
            models.UniqueConstraint(
                fields=["shift", "qualification"], name="workforce_demand_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.shift} {self.qualification}×{self.count}"


class Assignment(AuditedModel):
    """A member on a shift, in one qualification. Times are the shift's, copied so the
    overlap check is one indexed query on the member's own rows."""

    shift = models.ForeignKey(Shift, on_delete=models.CASCADE, related_name="assignments")
    member = models.ForeignKey(Member, on_delete=models.CASCADE, related_name="assignments")
    qualification = models.CharField(_("资质"), max_length=16, choices=Qualification.choices)
    starts_at = models.DateTimeField()
    ends_at = models.DateTimeField()
    assigned_at = models.DateTimeField(_("排班时间"), auto_now_add=True)
    assigned_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("排班人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    AUDIT_EXCLUDE = ("assigned_at",)

    class Meta:
        verbose_name = _("排班")
        verbose_name_plural = _("排班")
        ordering = ["starts_at", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["shift", "member"], name="workforce_assignment_unique")
        ]
        indexes = [
            models.Index(fields=["member", "starts_at"], name="workforce_assign_member_time")
        ]

    def __str__(self) -> str:
        return f"{self.member.name} @ {self.shift}"


class Attendance(models.Model):
    """A check-in at a post (and its check-out). Client ids make a phone's retries safe."""

    member = models.ForeignKey(Member, on_delete=models.CASCADE, related_name="attendances")
    post = models.ForeignKey(Post, on_delete=models.PROTECT, related_name="attendances")
    assignment = models.ForeignKey(
        Assignment, null=True, blank=True, on_delete=models.SET_NULL, related_name="attendances"
    )
    checked_in_at = models.DateTimeField(_("签到时间"))
    checked_out_at = models.DateTimeField(_("签退时间"), null=True, blank=True)
    client_id_in = models.CharField(max_length=64, unique=True)
    client_id_out = models.CharField(max_length=64, unique=True, null=True, blank=True)

    class Meta:
        verbose_name = _("签到记录")
        verbose_name_plural = _("签到记录")
        ordering = ["-checked_in_at", "-pk"]
        indexes = [models.Index(fields=["member", "checked_in_at"], name="workforce_att_member")]
        constraints = [
            # One open check-in per member at a time.
            models.UniqueConstraint(
                fields=["member"],
                condition=Q(checked_out_at__isnull=True),
                name="workforce_one_open_checkin",
            )
        ]

    def __str__(self) -> str:
        return f"{self.member.name} {self.checked_in_at:%m-%d %H:%M}"

    def hours(self, now: dt.datetime | None = None) -> float:
        end = self.checked_out_at or now
        if end is None:
            return 0.0
        return max((end - self.checked_in_at).total_seconds(), 0) / 3600


class BranchScope(models.TextChoices):
    TEAM = "team", _("依托队伍")
    SITE = "site", _("依托场所")
    AREA = "area", _("依托区域")


class PartyBranchQuerySet(models.QuerySet["PartyBranch"]):
    def visible_to(self, user: Any) -> "PartyBranchQuerySet":
        from tongxin.accounts.permissions import Perm, has_perm

        """County-wide roles see every branch; others the branches of their unit's teams and
        those set up for an area (or a site's area) in their jurisdiction."""
        if not has_perm(user, Perm.VIEW_WORKFORCE):
            return self.none()
        jurisdiction = _jurisdiction(user)
        if jurisdiction.everywhere:
            return self
        condition = Q(pk__in=[])
        unit_id = getattr(user, "unit_id", None)
        if unit_id:
            condition |= Q(team__unit_id=unit_id)
        if jurisdiction.paths:
            condition |= jurisdiction.q("place__path")
        return self.filter(condition)


class PartyBranch(AuditedModel):
    """临时党支部: set up for a team, a site or an area; members from any team."""

    incident = models.ForeignKey(
        "incidents.Incident", on_delete=models.PROTECT, related_name="party_branches"
    )
    name = models.CharField(_("支部名称"), max_length=100)
    scope = models.CharField(_("组建方式"), max_length=8, choices=BranchScope.choices)
    team = models.ForeignKey(
        Team, verbose_name=_("队伍"), null=True, blank=True, on_delete=models.SET_NULL
    )
    place = models.ForeignKey(
        "places.Place",
        verbose_name=_("区域"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    site_name = models.CharField(_("场所名称"), max_length=100, blank=True)
    secretary = models.ForeignKey(
        Member,
        verbose_name=_("书记"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    members = models.ManyToManyField(Member, verbose_name=_("党员"), related_name="branches")
    posts = models.ManyToManyField(Post, verbose_name=_("负责岗位"), blank=True)
    founded_on = models.DateField(_("成立日期"))
    dissolved_on = models.DateField(_("撤销日期"), null=True, blank=True)

    objects = PartyBranchQuerySet.as_manager()

    class Meta:
        verbose_name = _("临时党支部")
        verbose_name_plural = _("临时党支部")
        ordering = ["founded_on", "name"]

    def __str__(self) -> str:
        return self.name


class ActivityKind(models.TextChoices):
    MEETING = "meeting", _("支部会议")
    PIONEER_POST = "pioneer_post", _("党员先锋岗")
    SHIFT_SWAP = "shift_swap", _("换岗顶班")
    OTHER = "other", _("其他")


class BranchActivity(models.Model):
    branch = models.ForeignKey(PartyBranch, on_delete=models.CASCADE, related_name="activities")
    at = models.DateTimeField(_("时间"))
    kind = models.CharField(_("类别"), max_length=16, choices=ActivityKind.choices)
    title = models.CharField(_("内容"), max_length=200)
    note = models.TextField(_("说明"), blank=True)

    class Meta:
        verbose_name = _("支部活动")
        verbose_name_plural = _("支部活动")
        ordering = ["-at", "-pk"]

    def __str__(self) -> str:
        return self.title
