"""Responses take random ids (`models.random_response_id`), so an id says nothing about when a
response came in. Ids already given stay as they are; new ones start above 2**32."""

from django.db import migrations, models

import diagnostics.models


class Migration(migrations.Migration):
    dependencies = [("diagnostics", "0007_survey_drafts_by_session")]

    operations = [
        migrations.AlterField(
            model_name="response",
            name="id",
            field=models.BigIntegerField(
                default=diagnostics.models.random_response_id,
                editable=False,
                primary_key=True,
                serialize=False,
            ),
        ),
    ]
