"""A version of the units table that the database changes on every write to it, so that a
process can remember units between requests (organisations/remembered_units.py).

The version is one row of a table no model owns (so a test's flush leaves it be), and it never
takes a value twice: on PostgreSQL here the next value of a sequence, which a rolled-back
transaction does not hand back (0013 makes it a random 64-bit number, since a restore hands
old sequence values back); on SQLite a random 64-bit number. Counting up instead would let a
transaction that rolled back give a number that a later write gives again, to other units.

On SQLite, a migration that alters the units table rebuilds it, and the rebuilt table has no
triggers: such a migration must create them again (tests/organisations/test_remembered_units.py
checks they are there).
"""

from __future__ import annotations

from typing import Any

from django.db import migrations

POSTGRESQL = [
    "CREATE SEQUENCE organisations_units_version_seq",
    "CREATE TABLE organisations_units_version (version bigint NOT NULL)",
    "INSERT INTO organisations_units_version VALUES (nextval('organisations_units_version_seq'))",
    """
    CREATE FUNCTION organisations_units_changed() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        UPDATE organisations_units_version SET version = nextval('organisations_units_version_seq');
        RETURN NULL;
    END
    $$
    """,
    """
    CREATE TRIGGER organisations_units_changed
    AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON organisations_unit
    FOR EACH STATEMENT EXECUTE FUNCTION organisations_units_changed()
    """,
]
POSTGRESQL_REVERSE = [
    "DROP TRIGGER organisations_units_changed ON organisations_unit",
    "DROP FUNCTION organisations_units_changed()",
    "DROP TABLE organisations_units_version",
    "DROP SEQUENCE organisations_units_version_seq",
]
SQLITE = [
    "CREATE TABLE organisations_units_version (version integer NOT NULL)",
    "INSERT INTO organisations_units_version VALUES (random())",
    """
    CREATE TRIGGER organisations_units_insert AFTER INSERT ON organisations_unit
    BEGIN UPDATE organisations_units_version SET version = random(); END
    """,
    """
    CREATE TRIGGER organisations_units_update AFTER UPDATE ON organisations_unit
    BEGIN UPDATE organisations_units_version SET version = random(); END
    """,
    """
    CREATE TRIGGER organisations_units_delete AFTER DELETE ON organisations_unit
    BEGIN UPDATE organisations_units_version SET version = random(); END
    """,
]
SQLITE_REVERSE = [
    "DROP TRIGGER organisations_units_insert",
    "DROP TRIGGER organisations_units_update",
    "DROP TRIGGER organisations_units_delete",
    "DROP TABLE organisations_units_version",
]


def _run(statements: dict[str, list[str]]) -> Any:
    def run(apps: Any, schema_editor: Any) -> None:
        vendor = schema_editor.connection.vendor
        if vendor not in statements:
            raise RuntimeError(f"No units version for a {vendor} database: add its trigger here.")
        for statement in statements[vendor]:
            schema_editor.execute(statement)

    return run


class Migration(migrations.Migration):
    dependencies = [
        ("organisations", "0011_organisation_survey_languages"),
    ]

    operations = [
        migrations.RunPython(
            _run({"postgresql": POSTGRESQL, "sqlite": SQLITE}),
            _run({"postgresql": POSTGRESQL_REVERSE, "sqlite": SQLITE_REVERSE}),
        ),
    ]
