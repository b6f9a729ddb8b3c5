"""Spent codes move off the invite into their own table, keyed by a keyed hash.

Codes used before this migration were never stored, only their SHA-256 hashes, so they are
recorded under `codes.legacy_key(code_hash, purpose="spent")`, which the survey also looks up.
Every invite row is then rewritten, so that no invite keeps the transaction id of the
submission that once marked it used (on PostgreSQL, `xmin`); 0009 removes the old row versions.
"""

from django.db import migrations, models

from diagnostics import codes

BATCH = 2000


def record_used_codes_as_spent(apps, schema_editor):
    Invite = apps.get_model("diagnostics", "Invite")
    SpentCode = apps.get_model("diagnostics", "SpentCode")
    used = Invite.objects.filter(is_used=True).values_list("code_hash", flat=True)
    # Sorted by key, so the rows' order says nothing about which invite each came from.
    keys = sorted(codes.legacy_key(code_hash, purpose="spent") for code_hash in used.iterator())
    SpentCode.objects.bulk_create((SpentCode(key=key) for key in keys), batch_size=BATCH)
    Invite.objects.update(code_hash=models.F("code_hash"))


def restore_used_codes(apps, schema_editor):
    Invite = apps.get_model("diagnostics", "Invite")
    SpentCode = apps.get_model("diagnostics", "SpentCode")
    spent = set(SpentCode.objects.values_list("key", flat=True).iterator())
    used_pks = []
    for pk, code_hash in Invite.objects.values_list("pk", "code_hash").iterator():
        key = codes.legacy_key(code_hash, purpose="spent")
        if key in spent:
            used_pks.append(pk)
            spent.discard(key)
    if spent:
        raise RuntimeError(
            f"{len(spent)} codes were used after spent codes moved off the invites, and by "
            "design nothing ties them to their invites: going back would make them usable again."
        )
    for start in range(0, len(used_pks), BATCH):
        Invite.objects.filter(pk__in=used_pks[start : start + BATCH]).update(is_used=True)


class Migration(migrations.Migration):
    dependencies = [("diagnostics", "0005_backfill_tallies")]

    operations = [
        migrations.CreateModel(
            name="SpentCode",
            fields=[("key", models.CharField(max_length=64, primary_key=True, serialize=False))],
        ),
        migrations.RunPython(record_used_codes_as_spent, restore_used_codes),
        migrations.RemoveIndex(model_name="invite", name="diagnostics_cycle_i_89d19e_idx"),
        migrations.RemoveField(model_name="invite", name="is_used"),
    ]
