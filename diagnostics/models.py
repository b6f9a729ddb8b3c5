"""The questionnaire, diagnostic cycles, invite codes and the anonymous responses.

A response stores its team, its cycle, the date it was submitted (no time of day), optional
banded demographics and its answers. Nothing in it leads back to a code, a person, an IP address
or a browser: see `tests/diagnostics/test_anonymity_of_storage.py`. Submitting writes nothing to
the invite: the spent code is recorded apart, under a keyed hash (`SpentCode`), so no column,
id, row order or transaction id joins an invite to the response it opened.
"""

from __future__ import annotations

import secrets
from datetime import date

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone, translation
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _
from django.utils.translation import gettext_noop

from organisations.models import Organisation, Unit

# The scale's words, translated when shown (str() of each in the language in force).
SCALE: list[tuple[int, str | Promise]] = [
    (1, _("Strongly disagree")),
    (2, _("Disagree")),
    (3, _("Slightly disagree")),
    (4, _("Slightly agree")),
    (5, _("Agree")),
    (6, _("Strongly agree")),
]
NOT_APPLICABLE_LABEL = _("Not applicable / prefer not to say")

# The built-in domains' names (migration 0002), in the site's catalogue so that the survey's
# headings are translated with `gettext(domain.name)`; a domain not listed stays as it is.
DOMAIN_NAMES = (
    gettext_noop("Workload and caseloads"),
    gettext_noop("Supervision"),
    gettext_noop("Safety"),
    gettext_noop("Systems and tools"),
    gettext_noop("Secure base"),
    gettext_noop("Appreciation"),
    gettext_noop("Learning organisation"),
    gettext_noop("Mission and vision"),
    gettext_noop("Wellbeing"),
    # The outcomes (migration 0015) and the survey's heading for them (survey.OUTCOME_SECTION).
    gettext_noop("Intending to stay"),
    gettext_noop("Recommending as a place to practise"),
    gettext_noop("Working here"),
)


class DomainQuerySet(models.QuerySet["Domain"]):
    def conditions(self) -> DomainQuerySet:
        """The working conditions of §3: the domains of the conditions index."""
        return self.filter(kind=Domain.Kind.CONDITION)

    def outcomes(self) -> DomainQuerySet:
        """Outcome statements' groups (§12): never a condition, never in the index."""
        return self.filter(kind=Domain.Kind.OUTCOME)


class Domain(models.Model):
    """A group of statements scored together.

    A *condition* is one of the nine domains of §3: its mean is part of the conditions index.
    An *outcome* holds an outcome statement (§12), such as intending to stay: scored and shown
    apart, as the share who agree, and never part of the conditions index or any domain mean.
    Outcomes are domains so that tallies, the disclosure engine, exports and the survey treat
    their figures exactly as they treat conditions'.
    """

    class Kind(models.TextChoices):
        CONDITION = "condition", _("Working condition")
        OUTCOME = "outcome", _("Outcome")

    code = models.CharField(max_length=8, unique=True)
    name = models.CharField(max_length=80, unique=True)
    description = models.CharField(max_length=300)
    position = models.PositiveSmallIntegerField(unique=True)
    kind = models.CharField(max_length=12, choices=Kind.choices, default=Kind.CONDITION)
    driver_phrase = models.CharField(
        max_length=120,
        blank=True,
        help_text=(
            "For a condition, what a higher score means, after “Staff who report” (e.g. "
            "“better supervision”); for an outcome, what agreeing means, after “are more "
            "likely to say they” (e.g. “intend to stay”)."
        ),
    )

    objects = DomainQuerySet.as_manager()

    class Meta:
        ordering = ["position"]

    def __str__(self) -> str:
        return self.name

    @property
    def is_outcome(self) -> bool:
        return self.kind == Domain.Kind.OUTCOME


class InstrumentVersion(models.Model):
    """A version of the questionnaire. Built-in versions have no organisation.

    Once a cycle using it has opened (and so may have responses) a version is frozen; changes
    are made in a copy.
    """

    organisation = models.ForeignKey(
        Organisation,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="instrument_versions",
        help_text="Empty for the built-in questionnaire that every organisation can use.",
    )
    name = models.CharField(max_length=120)
    based_on = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="copies"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return self.name


class Statement(models.Model):
    version = models.ForeignKey(
        InstrumentVersion, on_delete=models.CASCADE, related_name="statements"
    )
    domain = models.ForeignKey(Domain, on_delete=models.PROTECT, related_name="statements")
    code = models.CharField(max_length=12, help_text="Short and stable, e.g. WL1 or SUP3.")
    text = models.CharField(max_length=300)
    reverse_scored = models.BooleanField(
        default=False, help_text="Worded negatively: agreeing means worse conditions."
    )
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["domain__position", "position", "code"]
        constraints = [
            models.UniqueConstraint(fields=["version", "code"], name="statement_code_per_version"),
        ]

    def __str__(self) -> str:
        return f"{self.code}: {self.text}"


class StatementText(models.Model):
    """A statement's wording in a language other than English (which is `Statement.text`).

    Part of the statement's version, and frozen with it: once a version is frozen its texts in
    every language stay as they were, and changes are made in a copy. The language staff answer
    in is never stored with a response; answers are the same whatever the language.
    """

    statement = models.ForeignKey(Statement, on_delete=models.CASCADE, related_name="texts")
    language = models.CharField(max_length=8, help_text="A code from settings.LANGUAGES.")
    text = models.CharField(max_length=300)

    class Meta:
        ordering = ["language"]
        constraints = [
            models.UniqueConstraint(
                fields=["statement", "language"], name="statement_text_once_per_language"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.statement.code} ({self.language}): {self.text}"


class Cycle(models.Model):
    class Kind(models.TextChoices):
        FULL = "full", _("Full diagnostic")
        PULSE = "pulse", _("Pulse")

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        OPEN = "open", _("Open")
        CLOSED = "closed", _("Closed")

    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="cycles")
    unit = models.ForeignKey(
        Unit,
        on_delete=models.PROTECT,
        related_name="cycles",
        help_text="Every team below this unit takes part.",
    )
    instrument = models.ForeignKey(
        InstrumentVersion, on_delete=models.PROTECT, related_name="cycles"
    )
    kind = models.CharField(max_length=8, choices=Kind.choices)
    name = models.CharField(max_length=120)
    names_in_languages = models.JSONField(
        default=dict,
        blank=True,
        help_text="The name in the other languages the organisation's surveys offer, by language "
        "code; staff reading in a language without one see `name`.",
    )
    opens_on = models.DateField()
    closes_on = models.DateField()
    status = models.CharField(max_length=8, choices=Status.choices, default=Status.DRAFT)
    statements = models.ManyToManyField(Statement, through="CycleStatement", related_name="+")
    teams = models.ManyToManyField(
        Unit, through="CycleTeam", through_fields=("cycle", "team"), related_name="+"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    opened_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    opens_automatically = models.BooleanField(
        default=False,
        help_text="A draft the clock opens on its opening date (shown as Scheduled).",
    )
    closed_automatically = models.BooleanField(
        default=False, help_text="Closed by the clock after its closing day."
    )
    schedule_refused = models.CharField(
        max_length=300,
        blank=True,
        default="",
        help_text="Why the clock could not open this draft on its opening date, if it could not.",
    )

    class Meta:
        ordering = ["-opens_on", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(closes_on__gte=models.F("opens_on")),
                name="cycle_closes_after_it_opens",
            ),
        ]
        indexes = [models.Index(fields=["organisation", "kind", "opens_on"])]

    def __str__(self) -> str:
        return self.name

    @property
    def shown_name(self) -> str:
        """The name in the language in force, as staff see it: `name` where it has none."""
        names: dict[str, str] = self.names_in_languages or {}
        return names.get(translation.get_language() or "", self.name)

    @property
    def last_day(self) -> date:
        """The last day it takes answers: its closing date, or the day it was closed by hand if
        that came first (a cycle the clock closes, or one closed by hand after its closing date,
        took its last answers on its closing date). What "closed <date>" says."""
        if self.closed_at is not None:
            return min(self.closes_on, timezone.localdate(self.closed_at))
        return self.closes_on


class CycleStatement(models.Model):
    """The statements a cycle asks, in the order staff see them (all of them for a full cycle)."""

    cycle = models.ForeignKey(Cycle, on_delete=models.CASCADE, related_name="cycle_statements")
    statement = models.ForeignKey(Statement, on_delete=models.PROTECT, related_name="+")
    position = models.PositiveSmallIntegerField()

    class Meta:
        ordering = ["position"]
        constraints = [
            models.UniqueConstraint(fields=["cycle", "statement"], name="statement_once_per_cycle"),
        ]


class CycleTeam(models.Model):
    """A team taking part in a cycle, fixed when the cycle is created."""

    cycle = models.ForeignKey(Cycle, on_delete=models.CASCADE, related_name="cycle_teams")
    team = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="cycle_teams")
    # The people in the team as the cycle's pages give them, which bound its responses to the
    # cycle beside its codes made (`results.bound_read`): recorded with the cycle's
    # own figures, else with the latest full diagnostic that closed before it opened and that
    # the team answered (`selectors.bounding_headcounts`). Set from when the cycle opens and
    # fixed once the team has answered (`structural_data.store_bounding_headcounts`).
    headcount = models.PositiveSmallIntegerField(null=True, blank=True)
    headcount_from = models.ForeignKey(
        Cycle, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["cycle", "team"], name="team_once_per_cycle"),
        ]


class Invite(models.Model):
    """A one-time code, stored only as its SHA-256 hash and never linked to a response.

    Written once, when the code is made, and never again: whether it has been used is kept in
    `SpentCode`, which nothing joins to an invite.
    """

    cycle = models.ForeignKey(Cycle, on_delete=models.PROTECT, related_name="invites")
    team = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="invites")
    code_hash = models.CharField(max_length=64, unique=True)

    class Meta:
        # Codes made for a page of a cycle's teams are counted from this index alone, not from
        # all the cycle's codes (60,000 for a council of 3,000 teams).
        indexes = [models.Index(fields=["cycle", "team"], name="invite_cycle_team")]


class InviteBatch(models.Model):
    """Invitation e-mails asked for together, sent by a background job: counts only.

    Holds no address and no code, and no invite points at it, so which e-mail carried which
    code, and so whether an address's code was used, cannot be read from it. The codes and
    addresses travel only inside the job's message (see docs/background-jobs.md).
    """

    cycle = models.ForeignKey(Cycle, on_delete=models.CASCADE, related_name="invite_batches")
    team = models.ForeignKey(Unit, on_delete=models.CASCADE, related_name="invite_batches")
    created_at = models.DateTimeField(auto_now_add=True)
    total = models.PositiveIntegerField()
    sent = models.PositiveIntegerField(default=0)
    failed = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["-created_at", "-pk"]

    @property
    def queued(self) -> int:
        return max(self.total - self.sent - self.failed, 0)


class InviteDelivery(models.Model):
    """One address of a batch has been dealt with (sent, or given up on after the retries), as
    HMAC-SHA256 of the batch and address under SECRET_KEY: never the address or the code. The
    unique key makes each message go out once per batch however often the job runs."""

    batch = models.ForeignKey(InviteBatch, on_delete=models.CASCADE, related_name="deliveries")
    key = models.CharField(max_length=64)
    delivered = models.BooleanField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["batch", "key"], name="one_delivery_per_address")
        ]


def random_row_id() -> int:
    """A random primary key, so that the order rows were written in cannot be read from them."""
    return secrets.randbelow(2**62) + 1


class ReminderAddress(models.Model):
    """An address given for invitation e-mails, kept only while its organisation sends reminders
    before a cycle closes, and only until the cycle closes.

    Encrypted (`addresses.seal`, AES-256-GCM under REMINDER_ADDRESS_KEY, padded so its length
    says nothing) and tied to the cycle and team alone: no invite, code, batch or time, and a
    random id, written in random order, so nothing here tells which code an address was sent or
    whether anyone answered. The organisation is kept so that turning reminders off deletes its
    addresses in one statement.
    """

    id = models.BigIntegerField(primary_key=True, default=random_row_id, editable=False)
    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="reminder_addresses"
    )
    cycle = models.ForeignKey(Cycle, on_delete=models.CASCADE, related_name="reminder_addresses")
    team = models.ForeignKey(Unit, on_delete=models.CASCADE, related_name="+")
    sealed = models.TextField()


class SpentCode(models.Model):
    """A code that has been used, as `codes.spent_key(code)`: HMAC-SHA256 under SPENT_CODE_KEY.

    The unique key makes a code usable once: the submission inserts it in its own transaction,
    and of two submissions of one code the second fails to. The row shares that transaction
    with the response, but holds nothing else: no invite, cycle, team, time or sequential id.
    Without SPENT_CODE_KEY nobody can compute which code, and so which invite, it stands for.
    """

    key = models.CharField(max_length=64, primary_key=True)


class SurveyDraft(models.Model):
    """Answers in progress for one survey session, so a reload or a back button loses nothing.

    Its key is random and known only to the respondent's browser (in the survey session's
    signed cookie, beside the code), so no row here leads to an invite. Deleted at submission;
    drafts left behind go when their cycle closes, and any still there by the clock's next
    nightly run (`services.delete_stale_drafts`).
    """

    key = models.CharField(max_length=64, primary_key=True)
    cycle = models.ForeignKey(Cycle, on_delete=models.CASCADE, related_name="+")
    answers = models.JSONField(default=dict)
    about = models.JSONField(default=dict)
    comment = models.TextField(blank=True, default="")


class RoleGroup(models.TextChoices):
    PRACTITIONER = "practitioner", _("Social worker or practitioner")
    SENIOR = "senior", _("Senior, advanced or consultant practitioner")
    MANAGER = "manager", _("Manager or supervisor")
    SUPPORT = "support", _("Support, business or other role")
    PREFER_NOT = "prefer_not", _("Prefer not to say")


class ServiceLength(models.TextChoices):
    UNDER_1 = "under_1", _("Less than 1 year")
    FROM_1_TO_2 = "1_to_2", _("1 to under 2 years")
    FROM_2_TO_5 = "2_to_5", _("2 to under 5 years")
    FROM_5_TO_10 = "5_to_10", _("5 to 10 years")
    OVER_10 = "over_10", _("More than 10 years")
    PREFER_NOT = "prefer_not", _("Prefer not to say")


class WorkingPattern(models.TextChoices):
    FULL_TIME = "full_time", _("Full time")
    PART_TIME = "part_time", _("Part time")
    AGENCY = "agency", _("Agency or locum")
    PREFER_NOT = "prefer_not", _("Prefer not to say")


RESPONSE_ID_LOWEST = 2**32  # above any id given out in sequence before ids were random
RESPONSE_ID_LIMIT = 2**62


def random_response_id() -> int:
    """A response's id: random, so ids say nothing about the order responses came in."""
    return RESPONSE_ID_LOWEST + secrets.randbelow(RESPONSE_ID_LIMIT - RESPONSE_ID_LOWEST)


class Response(models.Model):
    """One anonymous response. No user, code, IP address, user agent or time of day."""

    id = models.BigIntegerField(primary_key=True, default=random_response_id, editable=False)
    cycle = models.ForeignKey(Cycle, on_delete=models.PROTECT, related_name="responses")
    team = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="responses")
    submitted_on = models.DateField()
    role_group = models.CharField(max_length=16, choices=RoleGroup.choices, blank=True)
    service_length = models.CharField(max_length=16, choices=ServiceLength.choices, blank=True)
    working_pattern = models.CharField(max_length=16, choices=WorkingPattern.choices, blank=True)

    class Meta:
        indexes = [models.Index(fields=["cycle", "team"])]


class Answer(models.Model):
    response = models.ForeignKey(Response, on_delete=models.CASCADE, related_name="answers")
    statement = models.ForeignKey(Statement, on_delete=models.PROTECT, related_name="answers")
    value = models.PositiveSmallIntegerField(
        validators=[MinValueValidator(1), MaxValueValidator(6)], help_text="As given, 1 to 6."
    )
    score = models.PositiveSmallIntegerField(help_text="After reverse scoring (7 − value).")

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["response", "statement"], name="one_answer_per_statement"
            ),
            models.CheckConstraint(
                condition=models.Q(value__gte=1, value__lte=6), name="answer_value_1_to_6"
            ),
            models.CheckConstraint(
                condition=models.Q(score__gte=1, score__lte=6), name="answer_score_1_to_6"
            ),
        ]


class DomainScore(models.Model):
    """A response's figures for one domain, computed by the scoring module at submission.

    Kept beside the answers (in the same transaction) so that dashboards aggregate one row per
    response and domain in SQL. `score` is empty when fewer than half the domain's statements in
    the form were answered. Cycle, team and date repeat the response's own, for indexed grouping.
    """

    response = models.ForeignKey(Response, on_delete=models.CASCADE, related_name="domain_scores")
    domain = models.ForeignKey(Domain, on_delete=models.PROTECT, related_name="+")
    cycle = models.ForeignKey(Cycle, on_delete=models.PROTECT, related_name="+")
    team = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="+")
    submitted_on = models.DateField()
    score = models.FloatField(null=True, blank=True)
    red = models.PositiveSmallIntegerField()
    amber = models.PositiveSmallIntegerField()
    green = models.PositiveSmallIntegerField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["response", "domain"], name="one_score_per_domain"),
        ]
        indexes = [
            models.Index(fields=["cycle", "team", "domain"]),
            models.Index(fields=["team", "submitted_on"]),
        ]


class Comment(models.Model):
    """Free text left with a response, stored apart from it.

    No date and no link to the response, so a comment cannot be tied to answers or demographics.
    """

    cycle = models.ForeignKey(Cycle, on_delete=models.PROTECT, related_name="comments")
    team = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="comments")
    text = models.TextField(max_length=1000)


class StructuralFigures(models.Model):
    """A team's structural figures for one cycle, entered by its manager (or imported)."""

    cycle = models.ForeignKey(Cycle, on_delete=models.PROTECT, related_name="structural_figures")
    team = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="structural_figures")
    headcount = models.PositiveSmallIntegerField(
        null=True,
        blank=True,
        help_text=(
            "People in the team, counted once each. Not rated and not in the structural lens: "
            "it sets how many invite codes are offered."
        ),
    )
    caseload = models.DecimalField(max_digits=6, decimal_places=2, null=True, blank=True)
    vacancy_rate = models.DecimalField(max_digits=6, decimal_places=2, null=True, blank=True)
    agency_share = models.DecimalField(max_digits=6, decimal_places=2, null=True, blank=True)
    supervision_held = models.DecimalField(max_digits=6, decimal_places=2, null=True, blank=True)
    turnover = models.DecimalField(max_digits=6, decimal_places=2, null=True, blank=True)
    sickness_days = models.DecimalField(max_digits=6, decimal_places=2, null=True, blank=True)
    incidents = models.DecimalField(max_digits=6, decimal_places=2, null=True, blank=True)
    recording_hours = models.DecimalField(max_digits=6, decimal_places=2, null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["cycle", "team"], name="figures_once_per_team_cycle"),
        ]


class StructuralThreshold(models.Model):
    """ "Good" and "concerning" thresholds for one structural figure, set for the whole
    organisation (no unit) or for one unit and everything below it (§6).

    The thresholds in force for a team are its nearest unit's own, else the organisation's, else
    the defaults (`diagnostics.structural.thresholds_in_force`).
    """

    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="structural_thresholds"
    )
    unit = models.ForeignKey(
        Unit,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="structural_thresholds",
        help_text="Empty for the organisation's own thresholds.",
    )
    figure = models.CharField(max_length=32)
    good = models.DecimalField(max_digits=6, decimal_places=2)
    concerning = models.DecimalField(max_digits=6, decimal_places=2)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "figure"],
                condition=models.Q(unit__isnull=True),
                name="threshold_once_per_figure",
            ),
            models.UniqueConstraint(
                fields=["unit", "figure"],
                condition=models.Q(unit__isnull=False),
                name="unit_threshold_once_per_figure",
            ),
        ]


class TeamTally(models.Model):
    """Responses per team and cycle, kept up to date in the submission's transaction, and the
    codes made for them, added to in the transaction that makes the codes.

    The three tally tables hold exactly the sums the dashboards need (see
    `diagnostics.tallies`); `manage.py check_tallies` recomputes them from the raw rows. Codes
    made bound the responses, which the disclosure engine reads beside them
    (`disclosure.bands`).
    """

    cycle = models.ForeignKey(Cycle, on_delete=models.CASCADE, related_name="+")
    team = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="+")
    # Defaults in the database too: each upsert writes only the column it adds to.
    responses = models.PositiveIntegerField(default=0, db_default=0)
    codes_made = models.PositiveIntegerField(default=0, db_default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["cycle", "team"], name="team_tally_once"),
        ]


class DomainTally(models.Model):
    """Per team, cycle and domain: responses with a domain score, their sum, and answer bands."""

    cycle = models.ForeignKey(Cycle, on_delete=models.CASCADE, related_name="+")
    team = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="+")
    domain = models.ForeignKey(Domain, on_delete=models.PROTECT, related_name="+")
    scored = models.PositiveIntegerField(default=0)
    score_total = models.FloatField(default=0)
    red = models.PositiveIntegerField(default=0)
    amber = models.PositiveIntegerField(default=0)
    green = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["cycle", "team", "domain"], name="domain_tally_once"),
        ]


class StatementTally(models.Model):
    """Per team, cycle and statement: answers, their score sum, and answer bands."""

    cycle = models.ForeignKey(Cycle, on_delete=models.CASCADE, related_name="+")
    team = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="+")
    statement = models.ForeignKey(Statement, on_delete=models.PROTECT, related_name="+")
    answered = models.PositiveIntegerField(default=0)
    score_total = models.PositiveIntegerField(default=0)
    red = models.PositiveIntegerField(default=0)
    amber = models.PositiveIntegerField(default=0)
    green = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["cycle", "team", "statement"], name="statement_tally_once"
            ),
        ]


def _export_token() -> str:
    return secrets.token_urlsafe(24)


class ExportJob(models.Model):
    """A results export someone asked to be prepared in the background (docs/background-jobs.md).

    The file is written to the default file storage under `exports/` with an unguessable name,
    kept until `expires_at`, and handed only to the person who asked, while their reach is still
    the one it was made for (`reach_key`, diagnostics.access.get_export_for).
    """

    class Status(models.TextChoices):
        QUEUED = "queued", _("Being prepared")
        READY = "ready", _("Ready")
        FAILED = "failed", _("Could not be prepared")
        EXPIRED = "expired", _("Expired")

    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="export_jobs"
    )
    # Kept (empty) when the cycle or the person is removed, so the purge still finds the file.
    cycle = models.ForeignKey(
        Cycle, null=True, on_delete=models.SET_NULL, related_name="export_jobs"
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    file_format = models.CharField(max_length=4)
    level = models.CharField(max_length=8, blank=True, help_text="One level, or empty for all.")
    by = models.CharField(max_length=12)
    reach_key = models.CharField(
        max_length=64, help_text="SHA-256 of the asker's roles and units when they asked."
    )
    token = models.CharField(max_length=40, unique=True, default=_export_token, editable=False)
    status = models.CharField(max_length=8, choices=Status.choices, default=Status.QUEUED)
    created_at = models.DateTimeField()
    finished_at = models.DateTimeField(null=True, blank=True)
    expires_at = models.DateTimeField(db_index=True)
    file = models.FileField(max_length=200, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["requested_by", "-created_at"])]
