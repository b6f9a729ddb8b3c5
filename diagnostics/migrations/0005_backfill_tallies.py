"""Fill the tallies from responses stored before they existed."""

from django.db import migrations
from django.db.models import Count, Q, Sum


def backfill(apps, schema_editor):
    Response = apps.get_model("diagnostics", "Response")
    DomainScore = apps.get_model("diagnostics", "DomainScore")
    Answer = apps.get_model("diagnostics", "Answer")
    TeamTally = apps.get_model("diagnostics", "TeamTally")
    DomainTally = apps.get_model("diagnostics", "DomainTally")
    StatementTally = apps.get_model("diagnostics", "StatementTally")
    TeamTally.objects.bulk_create(
        TeamTally(cycle_id=r["cycle_id"], team_id=r["team_id"], responses=r["n"])
        for r in Response.objects.values("cycle_id", "team_id").annotate(n=Count("pk")).order_by()
    )
    DomainTally.objects.bulk_create(
        DomainTally(
            cycle_id=r["cycle_id"],
            team_id=r["team_id"],
            domain_id=r["domain_id"],
            scored=r["scored"],
            score_total=r["total"] or 0.0,
            red=r["red"],
            amber=r["amber"],
            green=r["green"],
        )
        for r in DomainScore.objects.values("cycle_id", "team_id", "domain_id")
        .annotate(
            scored=Count("score"), total=Sum("score"), red=Sum("red"), amber=Sum("amber"),
            green=Sum("green"),
        )
        .order_by()
    )
    StatementTally.objects.bulk_create(
        StatementTally(
            cycle_id=r["response__cycle_id"],
            team_id=r["response__team_id"],
            statement_id=r["statement_id"],
            answered=r["n"],
            score_total=r["total"],
            red=r["red"],
            amber=r["amber"],
            green=r["green"],
        )
        for r in Answer.objects.values("response__cycle_id", "response__team_id", "statement_id")
        .annotate(
            n=Count("pk"),
            total=Sum("score"),
            red=Count("pk", filter=Q(score__lte=2)),
            amber=Count("pk", filter=Q(score__gte=3, score__lte=4)),
            green=Count("pk", filter=Q(score__gte=5)),
        )
        .order_by()
    )


class Migration(migrations.Migration):
    dependencies = [("diagnostics", "0004_tallies")]

    operations = [migrations.RunPython(backfill, migrations.RunPython.noop)]
