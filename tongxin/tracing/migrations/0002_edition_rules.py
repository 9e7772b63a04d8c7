"""Add tracing's rules (tongxin/tracing/edition_rules.py) to the policy editions np-8 and np-9."""

from django.db import migrations


def add_rules(apps, schema_editor):
    from tongxin.tracing.edition_rules import add_to_editions

    add_to_editions(apps.get_model("incidents", "PolicyEdition"))


class Migration(migrations.Migration):
    dependencies = [("tracing", "0001_initial"), ("incidents", "0002_policy_editions")]
    operations = [migrations.RunPython(add_rules, migrations.RunPython.noop)]
