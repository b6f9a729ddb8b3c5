"""Drafts are kept per survey session under a random key, no longer against the invite.

Drafts saved before this migration are kept under `codes.legacy_key(code_hash, purpose="draft")`:
when their code is next opened, the survey finds the draft there, so nobody part-way through
loses their answers. Going back keeps only those; drafts started since belong to no invite.
"""

import django.db.models.deletion
from django.db import migrations, models

from diagnostics import codes


def key_drafts_by_hash(apps, schema_editor):
    LegacySurveyDraft = apps.get_model("diagnostics", "LegacySurveyDraft")
    SurveyDraft = apps.get_model("diagnostics", "SurveyDraft")
    drafts = [
        SurveyDraft(
            key=codes.legacy_key(old.invite.code_hash, purpose="draft"),
            cycle_id=old.invite.cycle_id,
            answers=old.answers,
            about=old.about,
            comment=old.comment,
        )
        for old in LegacySurveyDraft.objects.select_related("invite").iterator()
    ]
    # Sorted by key, so the rows' order says nothing about which invite each came from.
    SurveyDraft.objects.bulk_create(sorted(drafts, key=lambda draft: draft.key), batch_size=500)


def key_drafts_by_invite(apps, schema_editor):
    Invite = apps.get_model("diagnostics", "Invite")
    LegacySurveyDraft = apps.get_model("diagnostics", "LegacySurveyDraft")
    SurveyDraft = apps.get_model("diagnostics", "SurveyDraft")
    drafts = {draft.key: draft for draft in SurveyDraft.objects.iterator()}
    restored = []
    for invite in Invite.objects.iterator():
        draft = drafts.get(codes.legacy_key(invite.code_hash, purpose="draft"))
        if draft is not None:
            restored.append(
                LegacySurveyDraft(
                    invite=invite, answers=draft.answers, about=draft.about, comment=draft.comment
                )
            )
    LegacySurveyDraft.objects.bulk_create(restored, batch_size=500)


class Migration(migrations.Migration):
    dependencies = [("diagnostics", "0006_spent_codes")]

    operations = [
        migrations.RenameModel(old_name="SurveyDraft", new_name="LegacySurveyDraft"),
        migrations.CreateModel(
            name="SurveyDraft",
            fields=[
                ("key", models.CharField(max_length=64, primary_key=True, serialize=False)),
                ("answers", models.JSONField(default=dict)),
                ("about", models.JSONField(default=dict)),
                ("comment", models.TextField(blank=True, default="")),
                (
                    "cycle",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="+",
                        to="diagnostics.cycle",
                    ),
                ),
            ],
        ),
        migrations.RunPython(key_drafts_by_hash, key_drafts_by_invite),
        migrations.DeleteModel(name="LegacySurveyDraft"),
    ]
