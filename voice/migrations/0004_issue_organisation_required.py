"""Each voice issue's organisation, filled in by 0003, is required from now on (a separate
migration: PostgreSQL will not alter a table with the fill's foreign-key checks pending)."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("voice", "0003_issue_organisation"),
    ]

    operations = [
        migrations.AlterField(
            model_name="voiceissue",
            name="organisation",
            field=models.ForeignKey(
                editable=False,
                on_delete=django.db.models.deletion.CASCADE,
                related_name="+",
                to="organisations.organisation",
            ),
        ),
        migrations.AddIndex(
            model_name="voiceissue",
            index=models.Index(
                fields=["organisation", "status", "-raised_on", "-id"],
                name="voice_issue_org_status_newest",
            ),
        ),
    ]
