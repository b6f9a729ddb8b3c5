from __future__ import annotations

from django.db import migrations, models


class Migration(migrations.Migration):
    initial = True

    dependencies: list[tuple[str, str]] = []

    operations = [
        migrations.CreateModel(
            name="SentNotice",
            fields=[
                ("key", models.CharField(max_length=64, primary_key=True, serialize=False)),
                ("kind", models.CharField(max_length=40)),
                ("sent_on", models.DateField()),
            ],
            options={
                "indexes": [
                    models.Index(fields=["kind", "sent_on"], name="notices_sen_kind_4c5775_idx")
                ],
            },
        ),
    ]
