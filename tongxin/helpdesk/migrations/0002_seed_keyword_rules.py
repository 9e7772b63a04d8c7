"""The keyword rules a new install starts with; the command post and duty staff edit them later.

Written out here (not imported from the services) so the migration stays what it was when
later code changes."""

from django.db import migrations

RULES = [
    # keyword, priority, category, marks emergency
    ("血透", "urgent", "dialysis", False),
    ("透析", "urgent", "dialysis", False),
    ("孕", "urgent", "maternity", False),
    ("临产", "urgent", "maternity", True),
    ("胸痛", "urgent", "emergency", True),
    ("呼吸困难", "urgent", "emergency", True),
    ("抽搐", "urgent", "emergency", True),
]


def seed(apps, schema_editor):
    KeywordRule = apps.get_model("helpdesk", "KeywordRule")
    for keyword, priority, category, emergency in RULES:
        KeywordRule.objects.get_or_create(
            keyword=keyword,
            defaults={"priority": priority, "category": category, "marks_emergency": emergency},
        )


def unseed(apps, schema_editor):
    KeywordRule = apps.get_model("helpdesk", "KeywordRule")
    KeywordRule.objects.filter(keyword__in=[r[0] for r in RULES]).delete()


class Migration(migrations.Migration):
    dependencies = [("helpdesk", "0001_initial")]

    operations = [migrations.RunPython(seed, unseed)]
