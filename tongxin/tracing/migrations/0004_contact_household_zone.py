"""Add tracing.contact_household_zone (which contacts' households are proposed for which zone
kind) to the policy editions np-8 and np-9 of existing installs."""

from django.db import migrations


def add_rules(apps, schema_editor):
    from tongxin.tracing.edition_rules import add_to_editions

    add_to_editions(apps.get_model("incidents", "PolicyEdition"))


class Migration(migrations.Migration):
    dependencies = [("tracing", "0003_checkin_indexes")]
    operations = [migrations.RunPython(add_rules, migrations.RunPython.noop)]
