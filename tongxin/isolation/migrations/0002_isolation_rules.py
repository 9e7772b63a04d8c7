from django.db import migrations


def add_rules(apps, schema_editor):
    from tongxin.isolation.editions import add_isolation_rules

    add_isolation_rules(apps.get_model("incidents", "PolicyEdition"))


def remove_rules(apps, schema_editor):
    PolicyEdition = apps.get_model("incidents", "PolicyEdition")
    for edition in PolicyEdition.objects.all():
        if "isolation" in edition.rules:
            edition.rules = {k: v for k, v in edition.rules.items() if k != "isolation"}
            edition.save(update_fields=["rules"])


class Migration(migrations.Migration):
    dependencies = [("isolation", "0001_initial"), ("incidents", "0002_policy_editions")]
    operations = [migrations.RunPython(add_rules, remove_rules)]
