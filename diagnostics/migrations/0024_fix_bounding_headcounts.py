# Fixes on the teams of every cycle that has opened the headcount that bounds their responses
# (what `structural_data.store_bounding_headcounts` does from now on when a cycle opens): its
# own, else the one recorded with the latest full diagnostic that closed before it opened and
# that the team answered. Apart from 0023, so that the schema change is not held up by it.

from django.db import migrations


def fix_bounding_headcounts(apps, schema_editor):
    Cycle = apps.get_model("diagnostics", "Cycle")
    CycleTeam = apps.get_model("diagnostics", "CycleTeam")
    StructuralFigures = apps.get_model("diagnostics", "StructuralFigures")
    TeamTally = apps.get_model("diagnostics", "TeamTally")
    answered = set(TeamTally.objects.filter(responses__gt=0).values_list("cycle_id", "team_id"))
    cycles = {c.pk: c for c in Cycle.objects.all()}
    recorded: dict[int, list[tuple[int, int]]] = {}  # team → [(cycle, people)]
    for cycle_id, team_id, people in StructuralFigures.objects.filter(
        headcount__isnull=False
    ).values_list("cycle_id", "team_id", "headcount"):
        recorded.setdefault(team_id, []).append((cycle_id, people))
    changed = []
    for row in CycleTeam.objects.exclude(cycle__status="draft").iterator(chunk_size=2000):
        cycle = cycles[row.cycle_id]
        own = [people for source, people in recorded.get(row.team_id, ()) if source == cycle.pk]
        if own:
            row.headcount, row.headcount_from_id = own[0], cycle.pk
        else:
            earlier = [
                (cycles[source].closes_on, cycles[source].opens_on, source, people)
                for source, people in recorded.get(row.team_id, ())
                if cycles[source].kind == "full"
                and cycles[source].closes_on < cycle.opens_on
                and (source, row.team_id) in answered
            ]
            if not earlier:
                continue
            *_when, source, people = max(earlier)
            row.headcount, row.headcount_from_id = people, source
        changed.append(row)
    CycleTeam.objects.bulk_update(changed, ["headcount", "headcount_from"], batch_size=1000)


class Migration(migrations.Migration):

    dependencies = [
        ("diagnostics", "0023_bounding_headcount"),
    ]

    operations = [
        migrations.RunPython(fix_bounding_headcounts, migrations.RunPython.noop, elidable=True),
    ]
