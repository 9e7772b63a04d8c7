"""Django's admin is no side door to personal data.

The admin is for the system administrator's work (accounts, units, places, settings). Every
model that holds residents' personal data is taken out of it here, after every app has
registered its admin: a model of the resident, care, help, sampling or audit apps, a model
with an encrypted field, or a model pointing at a resident. Staff accounts stay (the admin
shows their phone masked and only takes a new one). A new app's model is caught by the same
rules without a change here.
"""

from django.apps import apps
from django.contrib import admin
from django.db import models

from tongxin.core.fields import EncryptedTextField

PERSONAL_DATA_APPS = {"people", "care", "helpdesk", "sampling", "audit"}
# Second-factor devices hold each user's TOTP secret: whoever reads one passes that user's
# second factor. They are managed by `tongxin security reset-otp`, never in the admin.
SECRET_APPS = {"otp_totp", "otp_static", "otp_email", "otp_hotp"}
# Reviewed exceptions, each with its reason: staff (managing them is the system
# administrator's job; phones masked), a robot's encrypted credentials (not personal data;
# write-only in the form), deliveries (read-only, the number shown masked only).
KEPT = {
    "accounts.user": "staff accounts; phone masked, a new one only taken",
    "notifications.grouprobot": "encrypted webhook credentials, not personal data; write-only",
    "notifications.delivery": "read-only; the recipient's number shown masked only",
}
STAFF_MODELS = set(KEPT)


def holds_personal_data(model: type[models.Model]) -> bool:
    meta = model._meta
    if meta.label_lower in STAFF_MODELS:
        return False
    if meta.app_label in PERSONAL_DATA_APPS or meta.app_label in SECRET_APPS:
        return True
    person = apps.get_model("people", "Person")
    for field in meta.get_fields():
        if isinstance(field, EncryptedTextField):
            return True
        points = getattr(field, "many_to_one", False) or getattr(field, "one_to_one", False)
        if points and field.related_model is person and field.concrete:
            return True
    return False


def lock_down(site: admin.AdminSite = admin.site) -> list[str]:
    """Unregister every personal-data model from the admin site; the labels removed."""
    removed = []
    for model in list(site._registry):
        if holds_personal_data(model):
            site.unregister(model)
            removed.append(model._meta.label_lower)
    return sorted(removed)
