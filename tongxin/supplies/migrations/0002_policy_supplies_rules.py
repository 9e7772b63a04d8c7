"""The supplies rules in the bundled editions: people per household package (蔬菜包)."""

from django.db import migrations

RULES = {"np-8": {"people_per_package": 3}, "np-9": {"people_per_package": 3}}


def add(apps, schema_editor):
    PolicyEdition = apps.get_model("incidents", "PolicyEdition")
    for code, rules in RULES.items():
        for edition in PolicyEdition.objects.filter(code=code):
            edition.rules = {**edition.rules, "supplies": {**rules, **edition.rules.get("supplies", {})}}
            edition.save(update_fields=["rules"])


class Migration(migrations.Migration):
    dependencies = [("supplies", "0001_initial"), ("incidents", "0002_policy_editions")]
    operations = [migrations.RunPython(add, migrations.RunPython.noop)]
