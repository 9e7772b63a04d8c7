"""The workforce's rules in the bundled editions: fatigue (hours without a rest of the minimum
length), how early a check-in counts, and the post-duty observation after demobilisation."""

from django.db import migrations

RULES = {
    "np-8": {
        "fatigue_max_hours": 12, "fatigue_min_rest_hours": 6, "checkin_early_minutes": 60,
        "post_duty_observation_days": 14,
    },
    "np-9": {
        "fatigue_max_hours": 12, "fatigue_min_rest_hours": 6, "checkin_early_minutes": 60,
        "post_duty_observation_days": 7,
    },
}  # fmt: skip


def add(apps, schema_editor):
    PolicyEdition = apps.get_model("incidents", "PolicyEdition")
    for code, rules in RULES.items():
        for edition in PolicyEdition.objects.filter(code=code):
            edition.rules = {**edition.rules, "workforce": {**rules, **edition.rules.get("workforce", {})}}
            edition.save(update_fields=["rules"])


class Migration(migrations.Migration):
    dependencies = [("workforce", "0001_initial"), ("incidents", "0002_policy_editions")]
    operations = [migrations.RunPython(add, migrations.RunPython.noop)]
