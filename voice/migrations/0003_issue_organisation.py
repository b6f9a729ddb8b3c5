"""Each voice issue keeps its board's team's organisation, so that an organisation's issues are
read and counted without joining every board and unit."""

import django.db.models.deletion
from django.db import migrations, models
from django.db.models import OuterRef, Subquery


def fill_in(apps, schema_editor):
    VoiceIssue = apps.get_model("voice", "VoiceIssue")
    VoiceBoard = apps.get_model("voice", "VoiceBoard")
    organisation_of_board = VoiceBoard.objects.filter(pk=OuterRef("board_id")).values(
        "team__organisation_id"
    )[:1]
    VoiceIssue.objects.update(organisation_id=Subquery(organisation_of_board))


class Migration(migrations.Migration):
    dependencies = [
        ("organisations", "0014_audit_api_refused"),
        ("voice", "0002_answers_with_role"),
    ]

    operations = [
        migrations.AddField(
            model_name="voiceissue",
            name="organisation",
            field=models.ForeignKey(
                editable=False,
                null=True,
                on_delete=django.db.models.deletion.CASCADE,
                related_name="+",
                to="organisations.organisation",
            ),
        ),
        migrations.RunPython(fill_in, migrations.RunPython.noop, elidable=True),
    ]
