from django import forms
from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.utils.translation import gettext_lazy as _

from tongxin.accounts.models import ApiToken, User
from tongxin.core.phones import InvalidPhone, normalize_mobile


class StaffChangeForm(forms.ModelForm):
    """The phone is never shown in clear here: a new number may be typed, the old one stays
    masked."""

    new_phone = forms.CharField(label=_("新手机号"), required=False)

    class Meta:
        model = User
        fields = (
            "username",
            "full_name",
            "role",
            "unit",
            "position",
            "is_active",
            "is_staff",
            "is_superuser",
        )

    def clean_new_phone(self) -> str:
        value = self.cleaned_data["new_phone"].strip()
        if not value:
            return ""
        try:
            return normalize_mobile(value)
        except InvalidPhone:
            raise forms.ValidationError(_("请输入有效的手机号")) from None

    def save(self, commit: bool = True) -> User:
        user = super().save(commit=False)
        if self.cleaned_data.get("new_phone"):
            user.phone = self.cleaned_data["new_phone"]
        if commit:
            user.save()
        return user


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    form = StaffChangeForm
    list_display = ("username", "full_name", "role", "unit", "phone_masked", "is_active")
    list_filter = ("role", "unit", "is_active", "is_staff")
    search_fields = ("username", "full_name")
    readonly_fields = ("phone_masked", "last_login", "date_joined")
    fieldsets = (
        (None, {"fields": ("username", "password")}),
        (
            _("人员信息"),
            {"fields": ("full_name", "role", "unit", "position", "phone_masked", "new_phone")},
        ),
        (_("权限"), {"fields": ("is_active", "is_staff", "is_superuser")}),
        (_("时间"), {"fields": ("last_login", "date_joined")}),
    )


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    list_display = ("prefix", "name", "user", "created_at", "last_used_at", "revoked_at")
    readonly_fields = ("prefix", "key_hash", "created_at", "last_used_at")
    fields = ("user", "name", "prefix", "key_hash", "created_at", "last_used_at", "revoked_at")

    def has_add_permission(self, request: object) -> bool:
        # Tokens are issued by `tongxin create_api_token`, which shows the key once.
        return False
