"""The built-in interventions library: for each domain, three quick wins and two deeper
strategies, in our own words, each tagged with the level that owns the lever.

Frozen here with the migration; organisations add their own through the site.
"""

from django.db import migrations

# (domain, kind, lever, title, what to do, why it helps, how you will know it worked)
INTERVENTIONS = [('WL',
  'quick_win',
  'team',
  'Allocate new cases openly at a weekly meeting',
  "Allocate new work at a short weekly team meeting where each worker's current caseload, court "
  'work and complexity are visible, instead of by email or corridor conversation.',
  'Allocation that is transparent and weighs complexity as well as numbers is seen as fairer, and '
  'it stops the hardest cases quietly landing on the same few reliable people.',
  'The fair-allocation and manageable-caseload statements in the Workload domain rise at the next '
  'pulse.'),
 ('WL',
  'quick_win',
  'team',
  'Protect a weekly half-day for case recording',
  'Give every practitioner a fixed half-day each week with no duty cover, meetings or visits '
  'booked, kept for case recording, chronologies and planning.',
  'When recording is squeezed around visits it spills into evenings; protected time in working '
  'hours makes the administrative load visible and keeps it inside the working week.',
  'Hours per week on case recording done outside contracted hours fall, and the '
  'time-for-direct-work statement improves at the next pulse.'),
 ('WL',
  'quick_win',
  'service',
  'Remove duplicate forms and recording fields',
  'Ask practitioners to list the forms and fields they fill in twice, then agree with the '
  "service's quality lead to merge or drop at least three of them within the month.",
  'Studies of social work workload repeatedly find that administrative burden crowds out direct '
  'work with families, which is the part of the job that draws people in and keeps them.',
  'Hours per week on case recording fall in the next structural return.'),
 ('WL',
  'deeper',
  'organisation',
  'Set and fund a caseload cap per FTE',
  'Agree a maximum caseload per full-time worker, adjusted for complexity and care proceedings, '
  'and commit budget for extra posts or cover whenever a team goes over it.',
  'High caseloads are among the reasons social workers most often give for leaving; a cap the '
  'organisation funds puts responsibility for workload on the system rather than on individuals.',
  'Caseload per FTE stays at or below the agreed cap and turnover falls over the following year.'),
 ('WL',
  'deeper',
  'service',
  'Introduce a weighted caseload model',
  'Replace raw case counts with a weighting tool that accounts for complexity, travel, court work '
  'and protected caseloads for newly qualified staff, and review the weights with practitioners '
  'each quarter.',
  'Counting cases alone hides very different demands; weighting makes allocation fairer and gives '
  'managers evidence to escalate pressure before people burn out.',
  'The spread of weighted caseload per FTE across the team narrows and the fair-allocation '
  'statement improves over two pulses.'),
 ('SUP',
  'quick_win',
  'team',
  'Book supervision ahead and never simply cancel',
  'Put supervision in diaries for the next six months and agree that only a genuine emergency '
  'moves it, with a new date set within five working days.',
  'Supervision that is often cancelled tells practitioners that reflection is optional; regular, '
  'reliable supervision is closely linked with staff feeling supported and choosing to stay.',
  'Supervision held to agreed frequency (%) rises in the next structural return.'),
 ('SUP',
  'quick_win',
  'team',
  'Open supervision with the emotional impact',
  'Begin each supervision with time on how recent visits, decisions and court hearings have '
  'affected the worker, before moving on to case management and audit actions.',
  'Supervision that only tracks tasks leaves the emotional weight of safeguarding work '
  'unprocessed; space to think about it supports clearer judgement and lowers the risk of burnout.',
  'The statement about supervision attending to the emotional impact of the work improves at the '
  'next pulse.'),
 ('SUP',
  'quick_win',
  'team',
  'Run monthly group reflective case discussions',
  'Hold a facilitated monthly session where one practitioner brings a current case and the group '
  'thinks it through together, kept separate from case management decisions.',
  'Group reflection spreads practice wisdom, reduces isolation and gives a second place to think '
  'when one-to-one supervision is under pressure.',
  'The reflective-supervision statement in the Supervision domain rises at the next pulse.'),
 ('SUP',
  'deeper',
  'service',
  'Train every supervisor in reflective supervision',
  'Give all team managers and practice supervisors training in a recognised reflective supervision '
  'model, followed by six months of peer consultation between supervisors.',
  'Many managers are promoted for their practice skill with little preparation to supervise; '
  'investing in supervisors raises the quality of supervision that every practitioner receives.',
  'The Supervision domain score improves across two consecutive pulses.'),
 ('SUP',
  'deeper',
  'organisation',
  'Limit the number of supervisees per manager',
  'Set a maximum number of direct supervisees for each manager and fund senior practitioner or '
  'practice supervisor posts where teams are larger than that.',
  'A manager with too many supervisees cannot keep supervision regular or reflective, however '
  'committed they are; span of control is a structural condition the organisation sets.',
  'Supervision held to agreed frequency (%) rises and stays above target in every team.'),
 ('SAF',
  'quick_win',
  'team',
  'Agree a lone working check-in routine',
  "Record each home visit's address and expected finish time on a shared calendar or board, with a "
  'named colleague who follows up if the worker has not checked back in.',
  'Knowing that someone will notice if they do not return lets practitioners go into difficult '
  'visits with less anxiety and gets help to them faster if something goes wrong.',
  'The personal safety and lone working statement improves at the next pulse.'),
 ('SAF',
  'quick_win',
  'team',
  'Debrief every safety incident within two days',
  'Make sure any worker who faces aggression, threats or a frightening visit has a debrief with '
  'their manager within two working days, with the next visit reallocated or shared if needed.',
  'Prompt, practical support after incidents reduces lasting harm and shows that abuse is not '
  'treated as simply part of the job.',
  'The support-after-incidents statement in the Safety domain rises at the next pulse.'),
 ('SAF',
  'quick_win',
  'service',
  'Flag risky cases for joint visits',
  'Flag cases with a known risk of aggression at allocation and make joint visits, office-based '
  'meetings or police accompaniment the standard arrangement for them.',
  'Planning for known risk before a visit prevents many incidents and removes the pressure on '
  'individuals to go alone because no one else is free.',
  'Safety incidents per 10 FTE fall over the following two quarters.'),
 ('SAF',
  'deeper',
  'organisation',
  'Provide monitored lone working devices for visits',
  'Supply every practitioner who visits alone with a lone working device linked to a monitored '
  'response, and publish an escalation protocol that is tested at least once a year.',
  'Equipment backed by a tested response turns a lone working policy on paper into real protection '
  'that staff can rely on.',
  'The lone working statement improves and safety incidents per 10 FTE fall over the following '
  'year.'),
 ('SAF',
  'deeper',
  'organisation',
  'Create a protected route for raising concerns',
  'Set up a confidential route for raising practice or safety concerns outside the line management '
  'chain, and publish each quarter what changed as a result.',
  'People speak up when they see concerns acted on and nobody penalised; psychological safety is '
  'associated with safer practice and with staff staying.',
  'The safe-to-raise-concerns statement improves across the next two pulses.'),
 ('SYS',
  'quick_win',
  'team',
  'Log recording system faults in one place',
  'Keep a shared team log of case recording system faults and workarounds, and send the three most '
  'costly problems to the system owner each month.',
  'System problems often go unfixed because each person reports them alone; pooling them saves '
  'colleagues time and gives the service evidence to get them fixed.',
  'The case recording system statement in the Systems domain improves at the next pulse.'),
 ('SYS',
  'quick_win',
  'team',
  'Agree short templates for routine recording',
  'Agree short shared templates for routine records such as statutory visits and strategy '
  'discussion notes, checked against what audit actually requires.',
  'Clear templates cut repeated typing and the uncertainty about how much is enough, which is a '
  'common cause of over-long records.',
  'Hours per week on case recording fall in the next structural return.'),
 ('SYS',
  'quick_win',
  'service',
  'Close equipment gaps within a fortnight',
  'Check laptops, phones, chargers, remote access and secure bags across the service and replace '
  'anything missing or failing within two weeks.',
  'Working without reliable kit on visits, on duty and at court wastes time and signals that '
  "practitioners' work is not valued.",
  'The equipment and IT statement in the Systems domain improves at the next pulse.'),
 ('SYS',
  'deeper',
  'organisation',
  'Redesign the case management system with practitioners',
  'Involve practitioners in reworking the case management system to cut mandatory fields and allow '
  'recording on mobile devices, or replace it where it cannot be fixed.',
  'Poorly designed recording systems are a frequent source of frustration and lost time for direct '
  'work, and practitioners know best where the time goes.',
  'Hours per week on case recording fall and the case recording system statement improves over the '
  'following year.'),
 ('SYS',
  'deeper',
  'organisation',
  'Provide private space in every office base',
  'Guarantee enough desks and bookable private rooms in each office for confidential calls, '
  'supervision and recording after difficult visits, rather than relying on hot desking alone.',
  'Private space protects confidentiality and gives workers somewhere to decompress and talk with '
  'colleagues after distressing work.',
  'The workspace statement in the Systems domain improves across the next two pulses.'),
 ('SB',
  'quick_win',
  'team',
  'Publish daily manager availability for consultation',
  'Share each week when the team manager or a named deputy is available for case consultation '
  'every day, including duty days and days the manager is in court or meetings.',
  'Knowing who to turn to with a worrying decision is central to feeling secure at work, and an '
  'available manager is one of the supports practitioners value most.',
  'The manager-availability statement in the Secure base domain rises at the next pulse.'),
 ('SB',
  'quick_win',
  'team',
  'Start a ten-minute morning team huddle',
  'Hold a brief morning check-in, in person or online, to share who is out on visits, who needs a '
  'hand and which cases are causing worry.',
  'Regular contact builds belonging and peer support, particularly in hybrid teams where workers '
  'can otherwise go days without seeing colleagues.',
  'The belonging and peer support statements improve at the next pulse.'),
 ('SB',
  'quick_win',
  'service',
  'Pair every new starter with a buddy',
  'Match each new starter, including agency staff, with an experienced colleague for their first '
  'three months, with time set aside in both diaries for shadowing and questions.',
  'The first months are when people are most likely to leave; a buddy helps new staff feel they '
  'belong and learn local systems and procedures quickly.',
  'Turnover among staff in their first year falls over the following two quarters.'),
 ('SB',
  'deeper',
  'service',
  'Keep teams stable with a shared base',
  'Organise work so practitioners stay with the same colleagues and manager, with agreed team days '
  'in a shared office, and avoid restructures that repeatedly break teams up.',
  'A stable team with a home base provides the secure base practitioners draw on to manage '
  'emotionally demanding work.',
  'The Secure base domain score improves and turnover falls over the following year.'),
 ('SB',
  'deeper',
  'organisation',
  'Convert agency posts into permanent roles',
  'Set a costed plan to turn agency posts into permanent ones, using a competitive local offer, '
  'career routes and targeted recruitment.',
  'High agency churn disrupts team relationships and continuity for families, and leaves permanent '
  'staff carrying induction and the most complex work.',
  'Agency share and vacancy rate fall over the following year.'),
 ('APP',
  'quick_win',
  'team',
  'Recognise specific good practice in team meetings',
  'Set aside a few minutes in each team meeting to name a particular piece of work done well, such '
  'as a careful assessment or a hard visit handled skilfully, and say what made it good.',
  'Specific recognition of skilled practice, rather than general thanks, helps people feel their '
  'effort is seen in a job where good outcomes are often invisible.',
  'The feeling-valued statement in the Appreciation domain rises at the next pulse.'),
 ('APP',
  'quick_win',
  'team',
  'Pass on praise from families and courts',
  'Set up a simple routine for forwarding compliments from families, partner agencies, judges and '
  'guardians to the worker and their manager, and mention them in supervision.',
  'Social workers hear far more about what went wrong than what went right; hearing about their '
  'impact reinforces that their work matters.',
  'The recognition-of-effort statement in the Appreciation domain improves at the next pulse.'),
 ('APP',
  'quick_win',
  'service',
  'Remove unnecessary management sign-offs',
  'Review which routine decisions need management approval and let experienced practitioners make '
  'those within their role without sign-off.',
  'Being trusted with professional judgement is a core form of appreciation, while needless '
  'sign-offs slow work and signal mistrust.',
  'The feeling-trusted statement in the Appreciation domain rises at the next pulse.'),
 ('APP',
  'deeper',
  'organisation',
  'Create a career path that stays in practice',
  'Introduce senior and advanced practitioner grades with pay progression, so experienced social '
  'workers can advance without moving into management.',
  'Experienced practitioners often leave or move to agency work because progression means giving '
  'up direct practice; a practice route recognises their expertise and keeps it.',
  'Turnover among experienced staff falls and the Appreciation domain score improves over the '
  'year.'),
 ('APP',
  'deeper',
  'organisation',
  'Benchmark pay and conditions against neighbouring employers',
  'Compare pay, mileage, leave and flexible working with neighbouring authorities and agencies '
  'each year, and close the gaps that draw staff away.',
  'Fair reward is a tangible sign of being valued, and gaps with nearby employers make it easy for '
  'experienced staff to move.',
  'Vacancy rate and agency share fall over the following year.'),
 ('LRN',
  'quick_win',
  'team',
  'Hold monthly blame-free case learning sessions',
  'Once a month, look back at a case that went well or badly, focusing on what the team and the '
  'system can learn rather than on who was at fault.',
  'Learning from mistakes without blame encourages openness about errors and near misses, which '
  'makes practice safer and reduces defensive recording.',
  'The learning-without-blame statement in the Learning domain rises at the next pulse.'),
 ('LRN',
  'quick_win',
  'team',
  'Share lessons from court and audit feedback',
  'Ask whoever attends a court hearing or receives audit feedback to share two or three practical '
  'lessons at the next team meeting.',
  'Passing on what judges and auditors look for spreads learning quickly and builds confidence for '
  'colleagues facing court work for the first time.',
  'The Learning organisation domain score improves at the next pulse.'),
 ('LRN',
  'quick_win',
  'service',
  'Protect time for professional development',
  'Give each practitioner a set number of protected development days a year, planned in '
  'supervision and covered on the duty rota.',
  'Development is often the first thing squeezed by workload; protected time shows the '
  'organisation invests in its staff and supports registration requirements.',
  'The development-opportunities statement in the Learning domain improves at the next pulse.'),
 ('LRN',
  'deeper',
  'service',
  'Adopt a systems approach to serious reviews',
  'Use a systems-based method for internal reviews of serious incidents, involving the '
  'practitioners concerned and reporting the system changes made rather than individual findings.',
  'Blame-focused reviews drive defensive practice and departures, while systems approaches bring '
  'out the conditions that made errors more likely.',
  'The learning-without-blame and safe-to-raise-concerns statements improve across the next two '
  'pulses.'),
 ('LRN',
  'deeper',
  'organisation',
  'Fund a protected first year for newly qualified',
  'Guarantee newly qualified social workers a reduced caseload, more frequent supervision and a '
  'learning programme throughout their first year, with the cost held centrally.',
  'Newly qualified workers are especially exposed to early burnout and leaving; a protected first '
  'year helps them build confidence before carrying a full caseload.',
  'Turnover among staff in their first year after qualifying falls over the following year.'),
 ('MIS',
  'quick_win',
  'team',
  'Explain the reasons behind every change',
  'When a new procedure, form or structure arrives, have the manager explain why it is happening, '
  'what it should achieve and how staff can feed back, before it takes effect.',
  'Change that is explained feels less arbitrary and is easier to put into practice, while '
  'unexplained change erodes trust in leadership.',
  'The change-is-explained statement in the Mission domain rises at the next pulse.'),
 ('MIS',
  'quick_win',
  'team',
  "Share what the team's work achieved",
  "Once a month, share a short anonymised example of what the team's work achieved, such as a "
  'child safely returning home or an adult regaining independence.',
  'Seeing the difference the work makes reinforces shared purpose, which is one of the main '
  'reasons people come into social work and stay.',
  'The shared-purpose statement in the Mission domain improves at the next pulse.'),
 ('MIS',
  'quick_win',
  'service',
  'Bring practitioners into service planning meetings',
  'Invite a practitioner from each team to service planning meetings, and report back to teams '
  'what was decided and why.',
  'Having a real voice in decisions that shape daily practice builds commitment and surfaces '
  'practical problems before they become policy.',
  'The voice-in-decisions statement in the Mission domain rises at the next pulse.'),
 ('MIS',
  'deeper',
  'organisation',
  'Co-produce the practice model with frontline staff',
  'Develop or refresh the practice model with practitioners, families and managers together, and '
  'check that caseloads and resources allow it to be practised as described.',
  'A practice model people helped shape, and that is backed by realistic resources, gives a shared '
  'purpose rather than a slogan that jars with daily reality.',
  'The Mission and vision domain score improves across the next two pulses.'),
 ('MIS',
  'deeper',
  'organisation',
  'Set up a standing practitioner forum with leaders',
  'Create a regular forum where frontline staff meet senior leaders, raise issues and receive '
  'written responses with timescales for action.',
  'A standing channel to leaders, with visible follow-through, shows that staff views shape '
  'decisions rather than being collected and forgotten.',
  'The voice-in-decisions statement improves across the next two pulses.'),
 ('WB',
  'quick_win',
  'team',
  'Stop expecting replies outside working hours',
  'Agree that nobody is expected to read or answer emails or messages outside their working hours, '
  'with managers scheduling their own messages to arrive in work time.',
  'Constant out-of-hours contact blurs work and home and is a well-recognised source of stress; '
  'clear team norms remove the pressure to always be available.',
  'The work-life balance statement in the Wellbeing domain rises at the next pulse.'),
 ('WB',
  'quick_win',
  'team',
  'Make time off in lieu easy to take',
  'Record extra hours worked after late visits, court days or duty, and make sure the time is '
  'taken within a month, with the manager arranging cover.',
  'Long days are sometimes unavoidable in statutory work; reliable recovery time stops them '
  'building into chronic overwork.',
  'The work-life balance statement improves and sickness days per FTE fall over the next two '
  'quarters.'),
 ('WB',
  'quick_win',
  'service',
  'Complete a work-related stress risk assessment',
  'Carry out a team-level stress risk assessment with staff, identifying the main workplace '
  'pressures and agreeing the actions the service will take on each.',
  'Treating stress as a workplace hazard to be assessed and reduced puts responsibility on working '
  'conditions rather than on individual staff.',
  'The organisation-takes-stress-seriously statement in the Wellbeing domain rises at the next '
  'pulse.'),
 ('WB',
  'deeper',
  'organisation',
  'Offer flexible and compressed working patterns',
  'Make flexible, part-time and compressed hours available across teams, designing duty rotas '
  'around them rather than deciding requests one by one.',
  'Flexibility helps people, especially those with caring responsibilities, stay in statutory work '
  'rather than leave for agency roles or other careers.',
  'Turnover falls and the work-life balance statement improves over the following year.'),
 ('WB',
  'deeper',
  'service',
  'Review sickness absence patterns by team',
  'Review sickness and stress-related absence by team each quarter, and treat clusters as a prompt '
  'to look at workload, supervision and safety in that team.',
  'Patterns of absence usually point to working conditions rather than individuals; reviewing them '
  'at team level directs action to the cause without blame.',
  'Sickness days per FTE fall in the teams reviewed over the following year.')]


def load(apps, schema_editor):
    Domain = apps.get_model("diagnostics", "Domain")
    Intervention = apps.get_model("actions", "Intervention")
    domains = {d.code: d for d in Domain.objects.all()}
    for position, (domain, kind, lever, title, what, why, measure) in enumerate(INTERVENTIONS, 1):
        Intervention.objects.create(
            organisation=None,
            domain=domains[domain],
            kind=kind,
            lever=lever,
            title=title,
            what=what,
            why=why,
            measure=measure,
            position=position,
        )


def unload(apps, schema_editor):
    apps.get_model("actions", "Intervention").objects.filter(organisation=None).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("actions", "0001_initial"),
        ("diagnostics", "0002_builtin_questionnaire"),
    ]

    operations = [migrations.RunPython(load, unload)]
