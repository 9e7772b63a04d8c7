import contextlib
from typing import Any

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from tongxin.audit.signals import AuditedModel
from tongxin.core import idnumbers
from tongxin.core.fields import EncryptedTextField
from tongxin.core.personal import PersonalLookupQuerySet, document_columns, phone_columns
from tongxin.core.text import pinyin_keys


class DocumentType(models.TextChoices):
    RESIDENT_ID = "resident_id", _("居民身份证")
    PASSPORT = "passport", _("护照")
    HMT_PERMIT = "hmt_permit", _("港澳台通行证")
    OTHER = "other", _("其他")


class Sex(models.TextChoices):
    MALE = "M", _("男")
    FEMALE = "F", _("女")


class ResidenceStatus(models.TextChoices):
    RESIDENT = "resident", _("常住")
    REGISTERED_ABSENT = "registered_absent", _("登记未常住")
    AWAY = "away", _("外出")
    TEMPORARY = "temporary", _("暂住")


class PersonQuerySet(PersonalLookupQuerySet["Person"]):
    def visible_to(self, user: Any) -> "PersonQuerySet":
        """Residents of households in the user's jurisdiction, if the role may see residents."""
        from tongxin.accounts.jurisdiction import jurisdiction_of
        from tongxin.accounts.permissions import Perm, has_perm

        if not has_perm(user, Perm.VIEW_RESIDENTS):
            return self.none()
        return self.filter(jurisdiction_of(user).q("household__path"))

    def under(self, place: Any) -> "PersonQuerySet":
        return self.filter(household__path__startswith=place.path)

    def for_list(self) -> "PersonQuerySet":
        """What lists show: masked values only, no decryption."""
        return self.select_related("household").defer("document_number", "phone")


class Person(AuditedModel):
    """A resident. The ID number and phone are encrypted; lists use the masked columns."""

    name = models.CharField(_("姓名"), max_length=50)
    name_pinyin = models.CharField(max_length=200, db_index=True, editable=False)
    name_initials = models.CharField(max_length=50, db_index=True, editable=False)
    document_type = models.CharField(
        _("证件类型"), max_length=16, choices=DocumentType.choices, default=DocumentType.RESIDENT_ID
    )
    document_number = EncryptedTextField(_("证件号码"))
    document_bidx = models.CharField(max_length=40, editable=False)
    document_masked = models.CharField(_("证件号码"), max_length=40, editable=False)
    document_last4 = models.CharField(max_length=4, db_index=True, editable=False)
    sex = models.CharField(_("性别"), max_length=1, choices=Sex.choices, blank=True)
    birth_date = models.DateField(_("出生日期"), null=True, blank=True)
    phone = EncryptedTextField(_("手机号"), blank=True)
    phone_bidx = models.CharField(max_length=40, blank=True, db_index=True, editable=False)
    phone_masked = models.CharField(_("手机号"), max_length=20, blank=True, editable=False)
    phone_last4 = models.CharField(max_length=4, blank=True, db_index=True, editable=False)
    household = models.ForeignKey(
        "places.Place",
        verbose_name=_("住户"),
        on_delete=models.PROTECT,
        related_name="residents",
    )
    residence_status = models.CharField(
        _("居住状态"),
        max_length=20,
        choices=ResidenceStatus.choices,
        default=ResidenceStatus.RESIDENT,
    )
    notes = models.TextField(_("备注"), blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    AUDIT_EXCLUDE = (
        "name_pinyin", "name_initials", "document_bidx", "document_last4", "phone_bidx",
        "phone_last4", "created_at", "updated_at",
    )  # fmt: skip
    AUDIT_SECRET = {"document_number": "document_masked", "phone": "phone_masked"}

    objects = PersonQuerySet.as_manager()

    class Meta:
        verbose_name = _("居民")
        verbose_name_plural = _("居民")
        constraints = [
            models.UniqueConstraint(
                fields=["document_type", "document_bidx"], name="person_unique_document"
            )
        ]

    def __str__(self) -> str:
        return f"{self.name} {self.document_masked}"

    @property
    def age(self) -> int | None:
        """Age in whole years. Pages and the API show this, never the birth date: with the
        masked ID number (region + last four) the birth date would rebuild the whole number."""
        if self.birth_date is None:
            return None
        today = timezone.localdate()
        born = self.birth_date
        return today.year - born.year - ((today.month, today.day) < (born.month, born.day))

    def derive_lookup_fields(self) -> None:
        """Fill the search, index and mask columns from the plaintext values.

        Called by save() and by bulk writers (which bypass save)."""
        self.name_pinyin, self.name_initials = pinyin_keys(self.name)
        deferred = self.get_deferred_fields()
        if "document_number" not in deferred:
            number = self.document_number or ""
            self.document_bidx, self.document_masked, self.document_last4 = document_columns(
                self.document_type, number
            )
            if self.document_type == DocumentType.RESIDENT_ID:
                with contextlib.suppress(idnumbers.InvalidIdNumber):
                    parsed = idnumbers.parse(number)
                    self.sex, self.birth_date = parsed.sex, parsed.birth_date
        if "phone" not in deferred:
            self.phone_bidx, self.phone_masked, self.phone_last4 = phone_columns(self.phone)

    def save(self, *args: Any, **kwargs: Any) -> None:
        self.derive_lookup_fields()
        super().save(*args, **kwargs)
