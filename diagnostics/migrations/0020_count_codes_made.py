# Counts the codes already made into the team tallies (apart from 0019, so that the table's
# schema lock is not held while every code is counted).

from django.db import migrations


def count_codes_made(apps, schema_editor):
    """Each team's codes made for each cycle, from the codes themselves (one statement; `WHERE
    1 = 1` keeps SQLite from reading ON CONFLICT as a join's ON)."""
    TeamTally = apps.get_model("diagnostics", "TeamTally")
    Invite = apps.get_model("diagnostics", "Invite")
    quote = schema_editor.connection.ops.quote_name
    tally, invite = quote(TeamTally._meta.db_table), quote(Invite._meta.db_table)
    with schema_editor.connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {tally} (cycle_id, team_id, responses, codes_made) "  # noqa: S608  # nosec B608
            f"SELECT cycle_id, team_id, 0, COUNT(*) FROM {invite} WHERE 1 = 1 "
            "GROUP BY cycle_id, team_id "
            "ON CONFLICT (cycle_id, team_id) DO UPDATE SET codes_made = excluded.codes_made"
        )


class Migration(migrations.Migration):

    dependencies = [
        ("diagnostics", "0019_team_tally_codes_made"),
    ]

    operations = [
        migrations.RunPython(count_codes_made, migrations.RunPython.noop, elidable=True),
    ]
