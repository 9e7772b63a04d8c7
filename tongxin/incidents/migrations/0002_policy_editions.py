from django.db import migrations


def load(apps, schema_editor):
    import datetime as dt
    import json

    from tongxin.incidents.services import EDITIONS_FILE

    PolicyEdition = apps.get_model("incidents", "PolicyEdition")
    for item in json.loads(EDITIONS_FILE.read_text(encoding="utf-8")):
        PolicyEdition.objects.update_or_create(
            code=item["code"],
            defaults={
                "name": item["name"],
                "effective_from": dt.date.fromisoformat(item["effective_from"]),
                "rules": item["rules"],
            },
        )


class Migration(migrations.Migration):
    dependencies = [("incidents", "0001_initial")]
    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
