"""Welsh texts for the built-in questionnaire's statements.

Written by the SWORD team, not by a certified translator: an organisation's Welsh language
officer should review them (`manage.py export_translations` and `import_translations`, see the
README). Matched on the English text, so a built-in statement reworded in a later version gets
no Welsh until someone writes it. Frozen here with the migration, like the statements.
"""

from django.db import migrations

WELSH = {
    # The outcome statements of the built-in version with outcomes (migration 0015).
    "I intend to be working for this organisation in a year's time.": "Rwy’n bwriadu bod yn gweithio i’r sefydliad hwn ymhen blwyddyn.",
    "I would recommend this organisation to a friend as a place to practise social work.": "Byddwn yn argymell y sefydliad hwn i ffrind fel lle i ymarfer gwaith cymdeithasol.",
    "My caseload is manageable within my contracted hours.": "Mae fy llwyth achosion yn hylaw o fewn fy oriau dan gontract.",
    "I have enough time for direct work with the people I support.": "Mae gen i ddigon o amser ar gyfer gwaith uniongyrchol gyda’r bobl rwy’n eu cefnogi.",
    "I regularly work unpaid extra hours to keep up.": "Rwy’n gweithio oriau ychwanegol heb dâl yn rheolaidd er mwyn dal i fyny.",
    "Work is allocated fairly across my team.": "Caiff gwaith ei ddyrannu’n deg ar draws fy nhîm.",
    "Administrative tasks leave me enough time for practice.": "Mae tasgau gweinyddol yn gadael digon o amser i mi ar gyfer ymarfer.",
    "I get supervision as often as was agreed.": "Rwy’n cael goruchwyliaeth mor aml ag a gytunwyd.",
    "My supervision is rarely cancelled or cut short.": "Anaml y caiff fy ngoruchwyliaeth ei chanslo neu ei thorri’n fyr.",
    "Supervision is mostly about deadlines rather than reflection.": "Mae goruchwyliaeth yn ymwneud yn bennaf â therfynau amser yn hytrach nag â myfyrio.",
    "Supervision helps me think through difficult decisions.": "Mae goruchwyliaeth yn fy helpu i feddwl drwy benderfyniadau anodd.",
    "Supervision makes room for the emotional impact of my work.": "Mae goruchwyliaeth yn gwneud lle i effaith emosiynol fy ngwaith.",
    "I feel safe when I visit people at home.": "Rwy’n teimlo’n ddiogel pan fyddaf yn ymweld â phobl yn eu cartrefi.",
    "Someone always knows where I am when I work alone.": "Mae rhywun bob amser yn gwybod ble rydw i pan fyddaf yn gweithio ar fy mhen fy hun.",
    "I get good support after a frightening or upsetting incident.": "Rwy’n cael cymorth da ar ôl digwyddiad brawychus neu ofidus.",
    "I would worry about raising a concern about practice here.": "Byddwn yn poeni am godi pryder am ymarfer yma.",
    "Safety concerns that staff raise are acted on.": "Mae pryderon diogelwch a godir gan staff yn cael sylw a gweithredu.",
    "The case recording system helps me do my job.": "Mae’r system cofnodi achosion yn fy helpu i wneud fy ngwaith.",
    "My laptop and phone work reliably when I need them.": "Mae fy ngliniadur a’m ffôn yn gweithio’n ddibynadwy pan fydd eu hangen arnaf.",
    "Recording takes time I should spend with the people I support.": "Mae cofnodi’n cymryd amser y dylwn ei dreulio gyda’r bobl rwy’n eu cefnogi.",
    "I can find a suitable place to work and make private calls.": "Gallaf ddod o hyd i le addas i weithio ac i wneud galwadau preifat.",
    "IT problems are fixed quickly.": "Caiff problemau TG eu datrys yn gyflym.",
    "I feel I belong in my team.": "Rwy’n teimlo fy mod yn perthyn i’m tîm.",
    "Colleagues help me when work gets difficult.": "Mae cydweithwyr yn fy helpu pan fydd gwaith yn mynd yn anodd.",
    "My manager is available when I need advice.": "Mae fy rheolwr ar gael pan fydd angen cyngor arnaf.",
    "I am often left alone with difficult decisions.": "Rwy’n aml yn cael fy ngadael ar fy mhen fy hun gyda phenderfyniadau anodd.",
    "I can talk openly with my manager about how work affects me.": "Gallaf siarad yn agored â’m rheolwr am sut mae gwaith yn effeithio arnaf.",
    "I feel valued by this organisation.": "Rwy’n teimlo bod y sefydliad hwn yn fy ngwerthfawrogi.",
    "My professional judgement is trusted.": "Mae pobl yn ymddiried yn fy marn broffesiynol.",
    "Senior leaders do not notice the effort my team puts in.": "Nid yw uwch arweinwyr yn sylwi ar yr ymdrech y mae fy nhîm yn ei gwneud.",
    "Good practice in my team is recognised.": "Caiff arfer da yn fy nhîm ei gydnabod.",
    "Senior leaders understand the reality of my work.": "Mae uwch arweinwyr yn deall realiti fy ngwaith.",
    "I have protected time for training and development.": "Mae gen i amser wedi’i neilltuo ar gyfer hyfforddiant a datblygiad.",
    "When things go wrong, the focus is on learning, not blame.": "Pan aiff pethau o chwith, y pwyslais yw dysgu, nid beio.",
    "My development is put on hold whenever things get busy.": "Caiff fy natblygiad ei ohirio bob tro y bydd pethau’n mynd yn brysur.",
    "Case reviews and audits here help us improve practice.": "Mae adolygiadau achosion ac archwiliadau yma yn ein helpu i wella ymarfer.",
    "I am supported to try new ways of working.": "Caf fy nghefnogi i roi cynnig ar ffyrdd newydd o weithio.",
    "I understand what this organisation is trying to achieve.": "Rwy’n deall beth mae’r sefydliad hwn yn ceisio’i gyflawni.",
    "My work here matches why I came into social work.": "Mae fy ngwaith yma yn cyd-fynd â’r rheswm y des i i waith cymdeithasol.",
    "Changes are explained before they happen.": "Caiff newidiadau eu hesbonio cyn iddynt ddigwydd.",
    "Decisions that affect my work are made without asking staff.": "Gwneir penderfyniadau sy’n effeithio ar fy ngwaith heb ofyn i staff.",
    "Staff views shape how services are run.": "Mae barn staff yn llywio sut mae gwasanaethau’n cael eu rhedeg.",
    "This organisation takes work-related stress seriously.": "Mae’r sefydliad hwn yn cymryd straen sy’n gysylltiedig â gwaith o ddifrif.",
    "I can take proper breaks during the working day.": "Gallaf gymryd seibiannau priodol yn ystod y diwrnod gwaith.",
    "I am expected to answer work messages outside my hours.": "Disgwylir i mi ateb negeseuon gwaith y tu allan i’m horiau gwaith.",
    "I can take annual leave when I need it.": "Gallaf gymryd gwyliau blynyddol pan fydd eu hangen arnaf.",
    "Support is easy to get when work affects my wellbeing.": "Mae’n hawdd cael cymorth pan fydd gwaith yn effeithio ar fy llesiant.",
}


def load(apps, schema_editor):
    Statement = apps.get_model("diagnostics", "Statement")
    StatementText = apps.get_model("diagnostics", "StatementText")
    StatementText.objects.bulk_create(
        [
            StatementText(statement=statement, language="cy", text=WELSH[statement.text])
            for statement in Statement.objects.filter(
                version__organisation=None, text__in=list(WELSH)
            )
        ],
        ignore_conflicts=True,
    )


def unload(apps, schema_editor):
    apps.get_model("diagnostics", "StatementText").objects.filter(
        statement__version__organisation=None, language="cy"
    ).delete()


class Migration(migrations.Migration):
    dependencies = [("diagnostics", "0016_statementtext")]

    operations = [migrations.RunPython(load, unload)]
