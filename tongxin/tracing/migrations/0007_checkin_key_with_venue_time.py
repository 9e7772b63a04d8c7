"""The check-in's key is unique with its venue and entry time, in one index that also serves
co-presence (it replaces `checkin_venue_time`); the index on the incident alone goes.

The keys themselves do not change (a file imported before still stores once). The key names the
entry *second* (uuid5 of incident|venue|identity|epoch rounded to the second), so an entry time
stored with a fraction of a second is first rounded to that second (exit and stay's end too,
the same way, so a stay still ends after it starts): a scan imported again then finds its row.
"""

import datetime as dt

from django.db import migrations, models

_ROUND = "to_timestamp(round(extract(epoch FROM {0})::float8))"


def round_to_the_key_second(apps, schema_editor):  # type: ignore[no-untyped-def]
    """Entry, exit and end of stay rounded to the second the key names (`f"{epoch:.0f}"`,
    half to even on the same float, in Python and in PostgreSQL's round(float8))."""
    connection = schema_editor.connection
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(
                "UPDATE tracing_checkin SET "
                + ", ".join(f"{c} = {_ROUND.format(c)}" for c in ("entered_at", "exited_at", "left_at"))
                + " WHERE " + " OR ".join(f"{c} <> date_trunc('second', {c})" for c in ("entered_at", "exited_at", "left_at"))
            )  # fmt: skip
        return
    CheckIn = apps.get_model("tracing", "CheckIn")

    def rounded(value: dt.datetime | None) -> dt.datetime | None:
        if value is None or not value.microsecond:
            return value
        return dt.datetime.fromtimestamp(float(f"{value.timestamp():.0f}"), value.tzinfo)

    for row in CheckIn.objects.only("entered_at", "exited_at", "left_at").iterator():
        if (
            row.entered_at.microsecond
            or (row.exited_at and row.exited_at.microsecond)
            or (row.left_at.microsecond)
        ):
            CheckIn.objects.filter(pk=row.pk).update(
                entered_at=rounded(row.entered_at),
                exited_at=rounded(row.exited_at),
                left_at=rounded(row.left_at),
            )


class Migration(migrations.Migration):
    dependencies = [
        ("incidents", "0003_incident_purged_at"),
        ("people", "0001_initial"),
        ("tracing", "0006_checkin_person_indexes_partial"),
    ]

    operations = [
        migrations.RunPython(round_to_the_key_second, migrations.RunPython.noop),
        migrations.AddConstraint(
            model_name="checkin",
            constraint=models.UniqueConstraint(
                fields=("venue", "entered_at", "row_key"), name="checkin_venue_time_key"
            ),
        ),
        migrations.RemoveIndex(model_name="checkin", name="checkin_venue_time"),
        migrations.RemoveIndex(model_name="checkin", name="checkin_incident"),
        migrations.AlterField(
            model_name="checkin", name="row_key", field=models.UUIDField(editable=False)
        ),
    ]
