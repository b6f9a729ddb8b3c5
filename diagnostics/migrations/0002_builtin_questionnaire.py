"""The nine domains of §3 and the built-in questionnaire (our own wording, 45 statements).

The data lives here, frozen with the migration: later changes to the questionnaire are new
versions, never edits to this one.
"""

from django.db import migrations

DOMAINS = [
    ("WL", "Workload and caseloads", "Whether caseloads are manageable, allocation is fair and there is time for direct work."),
    ("SUP", "Supervision", "Whether supervision is regular, protected, reflective and attends to the emotional impact of the work."),
    ("SAF", "Safety", "Personal safety and lone working, support after incidents, and being safe to raise concerns."),
    ("SYS", "Systems and tools", "The case recording system, equipment, IT and places to work."),
    ("SB", "Secure base", "Belonging, support from colleagues, and a manager who is there when needed."),
    ("APP", "Appreciation", "Feeling valued and trusted, and effort being recognised."),
    ("LRN", "Learning organisation", "Room to develop, and learning from mistakes without blame."),
    ("MIS", "Mission and vision", "A shared purpose, change that is explained, and a voice in decisions."),
    ("WB", "Wellbeing", "An organisation that takes stress seriously and protects work–life balance."),
]

# (code, domain, text, reverse_scored): one negatively worded, reverse-scored statement per domain.
STATEMENTS = [
    ("WL1", "WL", "My caseload is manageable within my contracted hours.", False),
    ("WL2", "WL", "I have enough time for direct work with the people I support.", False),
    ("WL3", "WL", "I regularly work unpaid extra hours to keep up.", True),
    ("WL4", "WL", "Work is allocated fairly across my team.", False),
    ("WL5", "WL", "Administrative tasks leave me enough time for practice.", False),
    ("SUP1", "SUP", "I get supervision as often as was agreed.", False),
    ("SUP2", "SUP", "My supervision is rarely cancelled or cut short.", False),
    ("SUP3", "SUP", "Supervision is mostly about deadlines rather than reflection.", True),
    ("SUP4", "SUP", "Supervision helps me think through difficult decisions.", False),
    ("SUP5", "SUP", "Supervision makes room for the emotional impact of my work.", False),
    ("SAF1", "SAF", "I feel safe when I visit people at home.", False),
    ("SAF2", "SAF", "Someone always knows where I am when I work alone.", False),
    ("SAF3", "SAF", "I get good support after a frightening or upsetting incident.", False),
    ("SAF4", "SAF", "I would worry about raising a concern about practice here.", True),
    ("SAF5", "SAF", "Safety concerns that staff raise are acted on.", False),
    ("SYS1", "SYS", "The case recording system helps me do my job.", False),
    ("SYS2", "SYS", "My laptop and phone work reliably when I need them.", False),
    ("SYS3", "SYS", "Recording takes time I should spend with the people I support.", True),
    ("SYS4", "SYS", "I can find a suitable place to work and make private calls.", False),
    ("SYS5", "SYS", "IT problems are fixed quickly.", False),
    ("SB1", "SB", "I feel I belong in my team.", False),
    ("SB2", "SB", "Colleagues help me when work gets difficult.", False),
    ("SB3", "SB", "My manager is available when I need advice.", False),
    ("SB4", "SB", "I am often left alone with difficult decisions.", True),
    ("SB5", "SB", "I can talk openly with my manager about how work affects me.", False),
    ("APP1", "APP", "I feel valued by this organisation.", False),
    ("APP2", "APP", "My professional judgement is trusted.", False),
    ("APP3", "APP", "Senior leaders do not notice the effort my team puts in.", True),
    ("APP4", "APP", "Good practice in my team is recognised.", False),
    ("APP5", "APP", "Senior leaders understand the reality of my work.", False),
    ("LRN1", "LRN", "I have protected time for training and development.", False),
    ("LRN2", "LRN", "When things go wrong, the focus is on learning, not blame.", False),
    ("LRN3", "LRN", "My development is put on hold whenever things get busy.", True),
    ("LRN4", "LRN", "Case reviews and audits here help us improve practice.", False),
    ("LRN5", "LRN", "I am supported to try new ways of working.", False),
    ("MIS1", "MIS", "I understand what this organisation is trying to achieve.", False),
    ("MIS2", "MIS", "My work here matches why I came into social work.", False),
    ("MIS3", "MIS", "Changes are explained before they happen.", False),
    ("MIS4", "MIS", "Decisions that affect my work are made without asking staff.", True),
    ("MIS5", "MIS", "Staff views shape how services are run.", False),
    ("WB1", "WB", "This organisation takes work-related stress seriously.", False),
    ("WB2", "WB", "I can take proper breaks during the working day.", False),
    ("WB3", "WB", "I am expected to answer work messages outside my hours.", True),
    ("WB4", "WB", "I can take annual leave when I need it.", False),
    ("WB5", "WB", "Support is easy to get when work affects my wellbeing.", False),
]

VERSION_NAME = "SWORD standard questionnaire 2026"


def load(apps, schema_editor):
    Domain = apps.get_model("diagnostics", "Domain")
    InstrumentVersion = apps.get_model("diagnostics", "InstrumentVersion")
    Statement = apps.get_model("diagnostics", "Statement")
    domains = {}
    for position, (code, name, description) in enumerate(DOMAINS, 1):
        domains[code] = Domain.objects.create(
            code=code, name=name, description=description, position=position
        )
    version = InstrumentVersion.objects.create(name=VERSION_NAME, organisation=None)
    positions = {}
    for code, domain_code, text, reverse_scored in STATEMENTS:
        positions[domain_code] = positions.get(domain_code, 0) + 1
        Statement.objects.create(
            version=version,
            domain=domains[domain_code],
            code=code,
            text=text,
            reverse_scored=reverse_scored,
            position=positions[domain_code],
        )


def unload(apps, schema_editor):
    apps.get_model("diagnostics", "InstrumentVersion").objects.filter(
        organisation=None, name=VERSION_NAME
    ).delete()
    apps.get_model("diagnostics", "Domain").objects.all().delete()


class Migration(migrations.Migration):
    dependencies = [("diagnostics", "0001_initial")]

    operations = [migrations.RunPython(load, unload)]
