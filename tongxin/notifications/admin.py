from typing import Any

from django import forms
from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from tongxin.notifications import conf
from tongxin.notifications.models import (
    Delivery,
    DeliveryAttempt,
    GroupRobot,
    Notification,
    Preference,
    validate_webhook_url,
)
from tongxin.notifications.robots import DeliveryError, send_to_robot


class GroupRobotForm(forms.ModelForm):
    """The webhook address and secret are credentials: typed in, never shown back."""

    new_webhook_url = forms.CharField(
        label=_("Webhook 地址"),
        required=False,
        validators=[validate_webhook_url],
        help_text=_("留空则保持原地址不变"),
        widget=forms.TextInput(attrs={"size": 80, "autocomplete": "off"}),
    )
    new_secret = forms.CharField(
        label=_("加签密钥"),
        required=False,
        help_text=_("钉钉“加签”密钥；留空则保持不变"),
        widget=forms.PasswordInput(render_value=False),
    )
    clear_secret = forms.BooleanField(label=_("清除加签密钥"), required=False)

    class Meta:
        model = GroupRobot
        fields = ("unit", "name", "platform", "message_format", "is_active")

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if not self.instance.pk and not data.get("new_webhook_url"):
            self.add_error("new_webhook_url", gettext("请填写 Webhook 地址"))
        return data

    def save(self, commit: bool = True) -> GroupRobot:
        robot = super().save(commit=False)
        if self.cleaned_data.get("new_webhook_url"):
            robot.webhook_url = self.cleaned_data["new_webhook_url"].strip()
        if self.cleaned_data.get("clear_secret"):
            robot.secret = ""
        elif self.cleaned_data.get("new_secret"):
            robot.secret = self.cleaned_data["new_secret"].strip()
        if commit:
            robot.save()
        return robot


@admin.register(GroupRobot)
class GroupRobotAdmin(admin.ModelAdmin):
    form = GroupRobotForm
    list_display = ("name", "unit", "platform", "message_format", "webhook_display", "signed",
                    "is_active")  # fmt: skip
    list_filter = ("platform", "is_active")
    search_fields = ("name", "unit__name")
    autocomplete_fields = ("unit",)
    actions = ["send_test"]

    @admin.display(boolean=True, description=_("加签"))
    def signed(self, obj: GroupRobot) -> bool:
        return bool(obj.secret)

    @admin.action(description=_("发送测试消息"))
    def send_test(self, request: HttpRequest, queryset: QuerySet[GroupRobot]) -> None:
        for robot in queryset:
            try:
                send_to_robot(
                    robot,
                    gettext("测试消息"),
                    gettext("这是一条来自同心平台的测试消息。"),
                    "",
                    timeout=conf.webhook_timeout(),
                )
            except DeliveryError as exc:
                self.message_user(request, f"{robot}: {exc}", messages.ERROR)
            else:
                self.message_user(request, f"{robot}: {gettext('发送成功')}", messages.SUCCESS)


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False


class AttemptInline(admin.TabularInline):
    model = DeliveryAttempt
    extra = 0
    can_delete = False
    fields = ("number", "attempted_at", "ok", "status_code", "error", "duration_ms")
    readonly_fields = fields

    def has_add_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False


@admin.register(Delivery)
class DeliveryAdmin(ReadOnlyAdmin):
    list_display = ("created_at", "channel", "recipient_label", "status", "attempts",
                    "next_attempt_at", "last_error")  # fmt: skip
    list_filter = ("status", "channel")
    exclude = ("user",)  # the user form field would not show more than recipient_label does
    readonly_fields = ("notification", "channel", "recipient_label", "robot", "status",
                       "attempts", "next_attempt_at", "last_error", "delivered_at", "failed_at",
                       "reported_at", "created_at")  # fmt: skip
    inlines = [AttemptInline]


@admin.register(Notification)
class NotificationAdmin(ReadOnlyAdmin):
    list_display = ("created_at", "kind", "title", "incident")
    list_filter = ("kind",)
    search_fields = ("title",)


@admin.register(Preference)
class PreferenceAdmin(admin.ModelAdmin):
    list_display = ("__str__", "user", "unit", "kind", "channel", "enabled")
    list_filter = ("channel", "enabled")
    autocomplete_fields = ("user", "unit")
