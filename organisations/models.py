"""Organisations, their tree of units, and the memberships that give people a role in them."""

from __future__ import annotations

from typing import ClassVar

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import translation
from django.utils.translation import get_language, gettext, gettext_noop
from django.utils.translation import gettext_lazy as _
from treebeard.mp_tree import MP_Node, MP_NodeManager, MP_NodeQuerySet

MIN_ANONYMITY_THRESHOLD = 3
MIN_DRIVERS_RESPONSES = 30
UNIT_PATH_SEPARATOR = " / "

# Marked for translation: staff who chose Welsh read the default in Welsh (see
# Organisation.safety_contact_shown). An organisation's own text is shown as written.
DEFAULT_SAFETY_CONTACT = gettext_noop(
    "If you or someone else is in danger now, call 999. "
    "For a safety concern at work, speak to your manager or the duty manager today, "
    "and record it in the incident system. You can also contact the organisation's "
    "health and safety team."
)


class OrganisationKind(models.TextChoices):
    CHILDREN = "children", _("Children's services")
    ADULTS = "adults", _("Adults' services")
    ALL_AGE = "all_age", _("All-age services")


class SizeBand(models.TextChoices):
    SMALL = "small", _("Small (fewer than 150 social work staff)")
    MEDIUM = "medium", _("Medium (150 to 400 social work staff)")
    LARGE = "large", _("Large (more than 400 social work staff)")


class CompareWith(models.TextChoices):
    ALL = "all", _("All organisations taking part")
    KIND = "kind", _("Organisations of the same type")
    SIZE = "size", _("Organisations of the same size")
    KIND_AND_SIZE = "kind_and_size", _("Organisations of the same type and size")


class Organisation(models.Model):
    name = models.CharField(max_length=200)
    name_in_languages = models.JSONField(
        default=dict,
        blank=True,
        help_text="The name in other languages, by language code, for staff reading in one "
        "(a Welsh council's Welsh name); a reader in a language without one sees `name`.",
    )
    slug = models.SlugField(max_length=80, unique=True)
    anonymity_threshold = models.PositiveSmallIntegerField(
        _("anonymity threshold (k)"),
        default=5,
        validators=[MinValueValidator(MIN_ANONYMITY_THRESHOLD), MaxValueValidator(50)],
        help_text=_("Groups with fewer responses than this show no figures. Never below 3."),
    )
    comment_threshold = models.PositiveSmallIntegerField(
        default=10,
        validators=[MinValueValidator(MIN_ANONYMITY_THRESHOLD), MaxValueValidator(100)],
        help_text=_(
            "Free-text comments are shown only for groups with at least this many responses."
        ),
    )
    pulse_window_days = models.PositiveSmallIntegerField(
        _("pulse pooling window (days)"),
        default=90,
        validators=[MinValueValidator(14), MaxValueValidator(365)],
        help_text=_(
            "A team's pulse result pools the pulses of periods this many days long. It cannot "
            "change once a pulse has opened."
        ),
    )
    drivers_minimum = models.PositiveSmallIntegerField(
        _("responses needed for drivers"),
        default=MIN_DRIVERS_RESPONSES,
        validators=[MinValueValidator(MIN_DRIVERS_RESPONSES), MaxValueValidator(1000)],
        help_text=_(
            "Which conditions go with staff intending to stay is shown only for groups with at "
            "least this many responses. Never below 30: fewer gives unreliable correlations."
        ),
    )
    safety_contact = models.TextField(
        max_length=2000,
        default=DEFAULT_SAFETY_CONTACT,
        help_text=_("Shown at once to anyone who raises a safety issue on a voice board."),
    )
    safety_contact_in_languages = models.JSONField(
        default=dict,
        blank=True,
        help_text="The safety contact in other languages, by language code; a reader in a "
        "language without one sees `safety_contact` (the default text in their language).",
    )
    survey_languages = models.JSONField(
        _("languages surveys offer besides English"),
        default=list,
        blank=True,
        help_text=_(
            "Surveys are always offered in English. Add Welsh to offer the survey in Welsh too: "
            "staff then choose their language on every page, and statements with a Welsh text "
            "are shown in Welsh. Answers count the same in either language."
        ),
    )
    # Whether any unit has been left at a moved unit's place (`Unit.moved_to`): roles are read
    # with the places their units moved from only where one is (`organisations.access.Reach`).
    has_former_places = models.BooleanField(default=False, editable=False)
    cycle_reminders = models.BooleanField(
        _("send reminders before a cycle closes"),
        default=False,
        help_text=_(
            "Staff invited by e-mail get one reminder before a cycle closes. Their addresses "
            "are then kept, encrypted, until the cycle closes, tied to the cycle and team only "
            "and never to a code or to whether anyone answered. Turning this off deletes every "
            "address kept."
        ),
    )
    reminder_days = models.PositiveSmallIntegerField(
        _("days before closing"),
        default=3,
        validators=[MinValueValidator(1), MaxValueValidator(14)],
        help_text=_("The reminder goes this many days before a cycle's closing day (1 to 14)."),
    )
    benchmark_opt_in = models.BooleanField(
        _("take part in the benchmark"),
        default=False,
        help_text=_(
            "Share this organisation's and its teams' domain means, only where this page's "
            "own anonymity rules show them, with the benchmark of organisations on this "
            "installation. Nothing named is shared, and no other organisation sees your "
            "figures: each sees only percentiles of at least five organisations."
        ),
    )
    benchmark_compare_with = models.CharField(
        _("compare with"),
        max_length=16,
        choices=CompareWith.choices,
        default=CompareWith.ALL,
        help_text=_(
            "Narrow the benchmark to similar organisations. Used only when at least five such "
            "organisations take part; otherwise all organisations taking part."
        ),
    )
    kind = models.CharField(
        _("type of organisation"),
        max_length=16,
        choices=OrganisationKind.choices,
        blank=True,
        help_text=_(
            "Set by the operator; lets the benchmark be narrowed to similar organisations."
        ),
    )
    size_band = models.CharField(
        max_length=16,
        choices=SizeBand.choices,
        blank=True,
        help_text=_(
            "Set by the operator; lets the benchmark be narrowed to similar organisations."
        ),
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(anonymity_threshold__gte=MIN_ANONYMITY_THRESHOLD),
                name="organisation_k_at_least_3",
            ),
            models.CheckConstraint(
                condition=models.Q(comment_threshold__gte=MIN_ANONYMITY_THRESHOLD),
                name="organisation_comment_threshold_at_least_3",
            ),
            models.CheckConstraint(
                condition=models.Q(drivers_minimum__gte=MIN_DRIVERS_RESPONSES),
                name="organisation_drivers_minimum_at_least_30",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def shown_name(self) -> str:
        """The name in the reader's language where the organisation gave one, else `name`."""
        names: dict[str, str] = self.name_in_languages or {}
        return names.get(get_language() or "", self.name)

    @property
    def safety_contact_shown(self) -> str:
        """The safety contact in the reader's language: the organisation's own text in it
        where it gave one, else the default text translated while that is the text, else the
        text as written."""
        own: dict[str, str] = self.safety_contact_in_languages or {}
        if text := own.get(get_language() or ""):
            return text
        if self.safety_contact.strip() == DEFAULT_SAFETY_CONTACT:
            return gettext(DEFAULT_SAFETY_CONTACT)
        return self.safety_contact

    def safety_contacts_shown(self) -> list[tuple[str, str]]:
        """The safety contact as each language the organisation's staff may read shows it:
        (language name, text) in the order of `offered_languages`, a text once however many
        languages show it. Who raised an issue, and so which they read, is never stored."""
        names = dict(settings.LANGUAGES)
        found: dict[str, list[str]] = {}
        for code in self.offered_languages:
            with translation.override(code):
                found.setdefault(self.safety_contact_shown, []).append(str(names[code]))
        return [(" / ".join(languages), text) for text, languages in found.items()]

    @property
    def offered_languages(self) -> list[str]:
        """The languages its surveys offer: English first, then those it added, each a code
        from settings.LANGUAGES."""
        known = [code for code, _ in settings.LANGUAGES]
        chosen = set(self.survey_languages or [])
        return [known[0], *(code for code in known[1:] if code in chosen)]


class UnitQuerySet(MP_NodeQuerySet):
    def active(self) -> UnitQuerySet:
        return self.filter(archived_at__isnull=True)

    def teams(self) -> UnitQuerySet:
        return self.filter(is_team=True)

    def within(self, unit: Unit) -> UnitQuerySet:
        """The unit and every unit below it: one indexed prefix match on the materialised path."""
        return self.filter(path__startswith=unit.path)


class UnitManager(MP_NodeManager.from_queryset(UnitQuerySet)):  # type: ignore[misc]
    def get_queryset(self) -> UnitQuerySet:
        return UnitQuerySet(self.model, using=self._db).order_by("path")


class Unit(MP_Node):
    """A node of an organisation's tree. The root is the organisation itself; teams are leaves.

    django-treebeard keeps a materialised path, so a subtree is one `path LIKE 'prefix%'` query.
    """

    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="units")
    name = models.CharField(max_length=200)
    is_team = models.BooleanField(
        default=False, help_text="Teams are where survey responses are collected."
    )
    archived_at = models.DateTimeField(null=True, blank=True)
    # Set on a unit left, archived, at the place of a unit that moved, holding that unit's part
    # in the cycles that had opened by then, so that no cycle's figures change with a move
    # (`diagnostics.services.move_unit`; docs/anonymity.md, "Moving a unit").
    moved_to = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="former_places",
        help_text="The unit that was here and moved: this one keeps its part in the cycles "
        "that had opened by then.",
    )

    objects: ClassVar[UnitManager] = UnitManager()

    class Meta:
        ordering = ["path"]
        indexes = [models.Index(fields=["organisation", "depth"])]

    def __str__(self) -> str:
        return self.name

    @property
    def is_archived(self) -> bool:
        return self.archived_at is not None

    @property
    def is_former_place(self) -> bool:
        """Left where a unit was when it moved, with that unit's part in the cycles that had
        opened by then."""
        return self.moved_to_id is not None

    @property
    def kind_label(self) -> str:
        if self.depth == 1:
            return gettext("Organisation")
        return gettext("Team") if self.is_team else gettext("Unit")

    def ancestor_paths(self) -> list[str]:
        """Paths of this unit's ancestors, root first (no query: derived from the path)."""
        step = self.steplen
        return [self.path[:i] for i in range(step, len(self.path), step)]

    def is_within(self, other: Unit) -> bool:
        return self.path.startswith(other.path)


class Role(models.TextChoices):
    ORG_ADMIN = "org_admin", _("Organisation admin")
    LEADER = "leader", _("Leader")
    TEAM_MANAGER = "team_manager", _("Team manager")


class Membership(models.Model):
    """A role held by a person at one unit of one organisation.

    An org admin holds their role at the organisation's root unit; a leader at any unit; a team
    manager at a team. A person may hold several memberships, all in one organisation.
    """

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships"
    )
    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="memberships"
    )
    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="memberships")
    role = models.CharField(max_length=20, choices=Role.choices)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["unit__path", "role"]
        constraints = [
            models.UniqueConstraint(fields=["user", "unit"], name="one_role_per_user_per_unit"),
        ]

    def __str__(self) -> str:
        return f"{self.user} — {self.get_role_display()} at {self.unit}"


class AuditEvent(models.Model):
    """Who viewed or exported which results, and every change of a role or a threshold.

    A change keeps the values it replaced in `old` and the values it set in `new`, keyed alike
    (a role's `role` and `unit`; a setting's field name; a structural figure's code), so the
    log can be read and queried field by field. Views and exports change nothing: both are {}.
    Records staff actions only: nothing here concerns, or could identify, a respondent.
    """

    class Action(models.TextChoices):
        VIEWED = "viewed", _("Viewed results")
        EXPORTED = "exported", _("Exported results")
        ROLE_GRANTED = "role_granted", _("Gave a role")
        ROLE_CHANGED = "role_changed", _("Changed a role")
        ROLE_REMOVED = "role_removed", _("Removed a role")
        THRESHOLD_CHANGED = "threshold_changed", _("Changed a threshold or setting")
        API_READ = "api_read", _("Read through the API")
        API_TOKEN_CREATED = "api_token_created", _("Created an API token")
        API_TOKEN_REVOKED = "api_token_revoked", _("Revoked an API token")
        API_REFUSED = "api_refused", _("API request refused")
        CODES_MADE = "codes_made", _("Made survey codes")
        UNIT_MOVED = "unit_moved", _("Moved a unit")

    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="audit_events"
    )
    at = models.DateTimeField(auto_now_add=True, db_index=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    actor = models.CharField(
        max_length=254, help_text="Who acted, kept even if their account is removed."
    )
    action = models.CharField(max_length=24, choices=Action.choices)
    scope = models.CharField(max_length=500, help_text="The part of the organisation concerned.")
    detail = models.CharField(max_length=500, blank=True, help_text="What happened, in a sentence.")
    old = models.JSONField(
        default=dict, blank=True, help_text="The values a change replaced ({} when it added)."
    )
    new = models.JSONField(
        default=dict, blank=True, help_text="The values a change set ({} when it removed)."
    )

    class Meta:
        ordering = ["-at", "-pk"]
        indexes = [models.Index(fields=["organisation", "-at"])]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.actor} {self.get_action_display()} {self.scope}"


class SingleSignOn(models.Model):
    """An organisation's OpenID Connect provider, set by the platform operator in the admin.

    The client secret comes from an environment variable named here, or is stored encrypted
    (with SSO_SECRETS_KEY from the environment); it is never shown on any page.
    """

    organisation = models.OneToOneField(
        Organisation, on_delete=models.CASCADE, related_name="single_sign_on"
    )
    issuer = models.URLField(
        max_length=500,
        help_text=(
            "The provider's issuer URL; its settings are read from "
            "<issuer>/.well-known/openid-configuration."
        ),
    )
    client_id = models.CharField(max_length=300)
    client_secret_env_var = models.CharField(
        "client secret's environment variable",
        max_length=100,
        blank=True,
        help_text="Name of the environment variable holding the client secret, if kept there.",
    )
    client_secret_encrypted = models.TextField(blank=True, editable=False)
    email_domains = models.CharField(
        max_length=500,
        help_text=(
            "E-mail domains whose people sign in here, separated by commas "
            "(for example council.gov.uk, staff.council.gov.uk)."
        ),
    )
    enabled = models.BooleanField(default=True)
    required = models.BooleanField(
        "required for members",
        default=False,
        help_text=(
            "Members of this organisation cannot sign in with a password; operators keep theirs."
        ),
    )

    class Meta:
        verbose_name = "single sign-on (OpenID Connect)"
        verbose_name_plural = "single sign-on (OpenID Connect)"

    def __str__(self) -> str:
        return f"Sign-in for {self.organisation}"

    @property
    def domains(self) -> list[str]:
        return [d.strip().lower() for d in self.email_domains.split(",") if d.strip()]
