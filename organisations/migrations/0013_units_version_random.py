"""The units version on PostgreSQL becomes a random 64-bit number, as on SQLite, instead of the
next value of a sequence.

A sequence never hands a value out twice while the database lives, but a restore from a backup
(or a recovery to an earlier point) puts its old value back: later writes would then give
versions that running processes had already remembered with other units. A random value that
comes back after a restore comes back with the very units it was given to.
"""

from __future__ import annotations

from typing import Any

from django.db import migrations

POSTGRESQL = [
    """
    CREATE OR REPLACE FUNCTION organisations_units_changed() RETURNS trigger
    LANGUAGE plpgsql AS $$
    BEGIN
        -- 64 bits of an MD5 of a random UUID (PostgreSQL's own random() gives fewer).
        UPDATE organisations_units_version
        SET version = ('x' || md5(gen_random_uuid()::text))::bit(64)::bigint;
        RETURN NULL;
    END
    $$
    """,
    "DROP SEQUENCE organisations_units_version_seq",
]
POSTGRESQL_REVERSE = [
    "CREATE SEQUENCE organisations_units_version_seq",
    """
    CREATE OR REPLACE FUNCTION organisations_units_changed() RETURNS trigger
    LANGUAGE plpgsql AS $$
    BEGIN
        UPDATE organisations_units_version SET version = nextval('organisations_units_version_seq');
        RETURN NULL;
    END
    $$
    """,
]


def _run(statements: list[str]) -> Any:
    def run(apps: Any, schema_editor: Any) -> None:
        if schema_editor.connection.vendor == "postgresql":  # SQLite's are random already
            for statement in statements:
                schema_editor.execute(statement)

    return run


class Migration(migrations.Migration):
    dependencies = [
        ("organisations", "0012_units_version"),
    ]

    operations = [
        migrations.RunPython(_run(POSTGRESQL), _run(POSTGRESQL_REVERSE)),
    ]
