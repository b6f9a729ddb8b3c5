"""Outcome statements (§12) and the built-in questionnaire version that asks them.

Outcomes are domains of their own kind: scored and shown apart (the share who agree), never
part of the conditions index. The new built-in version asks the 45 statements of the 2026
questionnaire, then the outcome statements in a section of their own. The 2026 version, and
every cycle that used it, stay as they were. Frozen with the migration: later changes are new
versions.
"""

from django.db import migrations, models

OLD_VERSION_NAME = "SWORD standard questionnaire 2026"
VERSION_NAME = "SWORD standard questionnaire 2026, with outcomes"

# What a higher score in each condition means, for the sentences of the drivers.
PHRASES = {
    "WL": "more manageable workloads",
    "SUP": "better supervision",
    "SAF": "feeling safer at work",
    "SYS": "better systems and tools",
    "SB": "a stronger secure base",
    "APP": "feeling more appreciated",
    "LRN": "a stronger learning culture",
    "MIS": "a clearer shared purpose",
    "WB": "better support for their wellbeing",
}

# (code, name, description, driver phrase, statement code, statement): our own wording.
OUTCOMES = [
    (
        "STAY",
        "Intending to stay",
        "Whether staff intend to be working here in a year's time.",
        "intend to stay",
        "STAY1",
        "I intend to be working for this organisation in a year's time.",
    ),
    (
        "REC",
        "Recommending as a place to practise",
        "Whether staff would recommend the organisation as a place to practise social work.",
        "would recommend the organisation as a place to practise",
        "REC1",
        "I would recommend this organisation to a friend as a place to practise social work.",
    ),
]


def load(apps, schema_editor):
    """Adds the outcomes and the version; what an earlier reversal kept (see `unload`) is
    found again rather than made twice."""
    Domain = apps.get_model("diagnostics", "Domain")
    InstrumentVersion = apps.get_model("diagnostics", "InstrumentVersion")
    Statement = apps.get_model("diagnostics", "Statement")
    for code, phrase in PHRASES.items():
        Domain.objects.filter(code=code).update(driver_phrase=phrase)
    outcomes = []
    for code, name, description, phrase, statement_code, text in OUTCOMES:
        domain = Domain.objects.filter(code=code).first()
        if domain is None:
            last = Domain.objects.order_by("-position").values_list("position", flat=True).first()
            domain = Domain.objects.create(
                code=code,
                name=name,
                description=description,
                position=(last or 0) + 1,
                kind="outcome",
                driver_phrase=phrase,
            )
        else:
            Domain.objects.filter(pk=domain.pk).update(kind="outcome", driver_phrase=phrase)
        outcomes.append((domain, statement_code, text))
    old = InstrumentVersion.objects.filter(organisation=None, name=OLD_VERSION_NAME).first()
    if old is None or InstrumentVersion.objects.filter(organisation=None, name=VERSION_NAME).exists():
        return
    version = InstrumentVersion.objects.create(name=VERSION_NAME, organisation=None, based_on=old)
    Statement.objects.bulk_create(
        Statement(
            version=version,
            domain_id=s.domain_id,
            code=s.code,
            text=s.text,
            reverse_scored=s.reverse_scored,
            position=s.position,
        )
        for s in Statement.objects.filter(version=old).order_by("pk")
    )
    for domain, statement_code, text in outcomes:
        Statement.objects.create(
            version=version, domain=domain, code=statement_code, text=text, position=1
        )


def unload(apps, schema_editor):
    """Takes away what `load` added where nothing uses it yet; a version some cycle has used,
    and the outcomes its statements ask, stay (they hold answers)."""
    InstrumentVersion = apps.get_model("diagnostics", "InstrumentVersion")
    Domain = apps.get_model("diagnostics", "Domain")
    Statement = apps.get_model("diagnostics", "Statement")
    Cycle = apps.get_model("diagnostics", "Cycle")
    for version in InstrumentVersion.objects.filter(organisation=None, name=VERSION_NAME):
        if not Cycle.objects.filter(instrument=version).exists():
            version.delete()
    for domain in Domain.objects.filter(kind="outcome"):
        if not Statement.objects.filter(domain=domain).exists():
            domain.delete()


class Migration(migrations.Migration):
    dependencies = [("diagnostics", "0014_cycle_clock_and_reminder_addresses")]

    operations = [
        migrations.AddField(
            model_name="domain",
            name="kind",
            field=models.CharField(
                choices=[("condition", "Working condition"), ("outcome", "Outcome")],
                default="condition",
                max_length=12,
            ),
        ),
        migrations.AddField(
            model_name="domain",
            name="driver_phrase",
            field=models.CharField(
                blank=True,
                help_text=(
                    "For a condition, what a higher score means, after “Staff who report” (e.g. "
                    "“better supervision”); for an outcome, what agreeing means, after “are more "
                    "likely to say they” (e.g. “intend to stay”)."
                ),
                max_length=120,
            ),
        ),
        migrations.RunPython(load, unload),
    ]
