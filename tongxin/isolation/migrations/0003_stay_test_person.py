"""Stays know the registry record their in-site samples are filed under (`test_person`), filled
for existing stays from their entry; isolation rounds lose the areas earlier versions gave them
(the site's place), so their coverage no longer counts the residents there as untested."""

import django.db.models.deletion
from django.db import migrations, models
from django.db.models import OuterRef, Subquery

ISOLATION_ROUND_NAME = "集中隔离点核酸检测"


def forwards(apps, schema_editor):
    Stay = apps.get_model("isolation", "Stay")
    TransferEntry = apps.get_model("isolation", "TransferEntry")
    RoundArea = apps.get_model("testing", "RoundArea")
    Stay.objects.filter(test_person__isnull=True).update(
        test_person_id=Subquery(
            TransferEntry.objects.filter(pk=OuterRef("entry_id")).values("person_id")[:1]
        )
    )
    RoundArea.objects.filter(round__name=ISOLATION_ROUND_NAME).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("isolation", "0002_isolation_rules"),
        ("people", "0001_initial"),
        ("testing", "0002_plans_and_reminders"),
    ]

    operations = [
        migrations.AddField(
            model_name="stay",
            name="test_person",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to="people.person",
            ),
        ),
        migrations.RunPython(forwards, migrations.RunPython.noop),
    ]
