"""On PostgreSQL, rewrite the invites table so that the row versions 0006 replaced, which kept
the transaction ids of the submissions that once marked them used, are gone from the disk too
(a plain VACUUM would only mark their space free). Outside a transaction, as VACUUM must be."""

from django.db import migrations


def vacuum_invites(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    with schema_editor.connection.cursor() as cursor:
        cursor.execute("VACUUM FULL diagnostics_invite")


class Migration(migrations.Migration):
    atomic = False
    dependencies = [("diagnostics", "0008_random_response_ids")]

    operations = [migrations.RunPython(vacuum_invites, migrations.RunPython.noop)]
