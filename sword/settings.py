"""SWORD settings: one module, configured by typed environment variables.

Every variable is read once here; a malformed value stops start-up with a clear message.
See the README for the full list.
"""

from __future__ import annotations

import base64
import re
from datetime import timedelta
from pathlib import Path

import django_stubs_ext
import environ
from celery.schedules import crontab
from django.core.exceptions import ImproperlyConfigured
from whitenoise.compress import Compressor

# Lets Django's generic classes be subscripted at run time (forms.ModelForm[Organisation]).
django_stubs_ext.monkeypatch()

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()

DEBUG: bool = env.bool("DEBUG", default=False)

# Used only with DEBUG on; refused below when DEBUG is off.
_DEVELOPMENT_SECRET_KEY = "development-only-key-never-use-in-production-0123456789"  # noqa: S105  # nosec B105
SECRET_KEY: str = env.str("SECRET_KEY", default="")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured(
            "SECRET_KEY is not set. Production (DEBUG off) refuses to start without a real "
            "secret key: set SECRET_KEY to a long random value, or set DEBUG=1 for development."
        )
    SECRET_KEY = _DEVELOPMENT_SECRET_KEY
elif not DEBUG and (len(SECRET_KEY) < 40 or SECRET_KEY == _DEVELOPMENT_SECRET_KEY):
    raise ImproperlyConfigured(
        "SECRET_KEY is too weak for production: use at least 40 random characters "
        "(for example `python -c 'import secrets; print(secrets.token_urlsafe(50))'`)."
    )

# Spent invite codes are recorded as HMAC-SHA256(code) under this key, never beside the invite
# (diagnostics.codes.spent_key). A key apart from SECRET_KEY and from the codes' own (unkeyed)
# hash, so that someone who reads the database, even holding the printed codes, cannot tell
# which code was spent, and so which submission it made. Changing it makes every spent code
# usable again: set it once, keep it with the database's backups.
_DEVELOPMENT_SPENT_CODE_KEY = "development-only-spent-code-key-never-use-in-production-9876"
SPENT_CODE_KEY: str = env.str("SPENT_CODE_KEY", default="")
if not SPENT_CODE_KEY:
    if not DEBUG:
        raise ImproperlyConfigured(
            "SPENT_CODE_KEY is not set. Production (DEBUG off) refuses to start without it: set "
            "SPENT_CODE_KEY to a long random value, different from SECRET_KEY, and keep it "
            "unchanged for as long as any cycle takes answers."
        )
    SPENT_CODE_KEY = _DEVELOPMENT_SPENT_CODE_KEY
elif not DEBUG and (
    len(SPENT_CODE_KEY) < 40 or SPENT_CODE_KEY in (_DEVELOPMENT_SPENT_CODE_KEY, SECRET_KEY)
):
    raise ImproperlyConfigured(
        "SPENT_CODE_KEY is too weak for production: use at least 40 random characters, "
        "different from SECRET_KEY."
    )

# Addresses kept for reminders before a cycle closes (diagnostics.addresses) are encrypted with
# AES-256-GCM under this key: 32 random bytes in URL-safe base64 (44 characters). Needed only by
# organisations that turn reminders on: unset when DEBUG is off, reminders cannot be turned on and
# no address is kept. A new key makes the addresses kept so far unreadable (they get no reminder).
_DEVELOPMENT_REMINDER_ADDRESS_KEY = "ZGV2ZWxvcG1lbnQtb25seS1yZW1pbmRlci1rZXktMzI="  # nosec B105
REMINDER_ADDRESS_KEY: str = env.str("REMINDER_ADDRESS_KEY", default="")
if not REMINDER_ADDRESS_KEY and DEBUG:
    REMINDER_ADDRESS_KEY = _DEVELOPMENT_REMINDER_ADDRESS_KEY
elif REMINDER_ADDRESS_KEY:
    try:
        _reminder_key_length = len(base64.urlsafe_b64decode(REMINDER_ADDRESS_KEY.encode("ascii")))
    except (ValueError, UnicodeEncodeError):
        _reminder_key_length = 0
    if _reminder_key_length != 32 or len(REMINDER_ADDRESS_KEY) != 44:
        raise ImproperlyConfigured(
            "REMINDER_ADDRESS_KEY is malformed: it must be 32 random bytes in URL-safe base64 "
            "(44 characters), for example the output of `python -c 'import base64, os; "
            "print(base64.urlsafe_b64encode(os.urandom(32)).decode())'`."
        )
    if not DEBUG and REMINDER_ADDRESS_KEY == _DEVELOPMENT_REMINDER_ADDRESS_KEY:
        raise ImproperlyConfigured(
            "REMINDER_ADDRESS_KEY is the development key, which is public: make a new one for "
            "production."
        )

ALLOWED_HOSTS: list[str] = env.list(
    "ALLOWED_HOSTS", default=["localhost", "127.0.0.1", "[::1]"] if DEBUG else []
)
CSRF_TRUSTED_ORIGINS: list[str] = env.list("CSRF_TRUSTED_ORIGINS", default=[])

# Absolute address of the site, used in links that leave it (invite links, e-mails, QR codes).
SITE_URL: str = env.str("SITE_URL", default="http://127.0.0.1:8000").rstrip("/")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "sword.staticfiles.StaticFilesConfig",  # django.contrib.staticfiles, less what we never serve
    "django.contrib.humanize",
    "crispy_forms",
    "crispy_bootstrap5",
    "treebeard",
    "axes",
    "csp",
    "rest_framework",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "accounts",
    "organisations",
    "notices",
    "diagnostics",
    "voice",
    "actions",
    "benchmarks",
    "dashboards",
    "api",
    "demo",
    "sword",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "sword.middleware.permissions_policy",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "sword.middleware.CSPMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    # The language: a signed-in person's preference (accounts.middleware), else the chooser's
    # cookie, else the browser's Accept-Language, else English.
    "sword.middleware.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "accounts.middleware.preferred_language",
    "accounts.provider_sign_out.allow_provider_sign_out",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # Nothing above reads the body, so an oversized one is refused before anything does.
    "sword.middleware.request_size_limit",
    # Axes must come last so it sees the outcome of authentication.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "sword.urls"
WSGI_APPLICATION = "sword.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "organisations.context_processors.navigation",
            ],
        },
    },
]

DATABASES = {
    "default": env.db_url("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}"),
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    DATABASES["default"].setdefault("CONN_MAX_AGE", env.int("DB_CONN_MAX_AGE", default=60))
    # Checking a kept connection before every request costs a round trip each time; broken
    # connections are replaced after the request that meets them fails. Turn on behind a proxy
    # that drops idle connections.
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = env.bool("DB_HEALTH_CHECKS", default=False)
    # Dashboards group tens of thousands of tally rows; PostgreSQL's default 4 MB of work
    # memory makes it sort them on disk instead of hashing them in memory.
    DATABASES["default"].setdefault("OPTIONS", {})["options"] = (
        f"-c work_mem={env.str('DB_WORK_MEM', default='32MB')}"
    )
# Speed-ups that lean on Django's internals, or on assumptions about what Django does, each
# with a switch (docs/performance.md, "Switches for Django upgrades"). All are on. If a Django
# upgrade breaks one, turn it off (or all of them with SPEEDUPS=0): the site then takes Django's
# plain public path and draws the same pages, only slower.
SPEEDUPS: bool = env.bool("SPEEDUPS", default=True)
# The survey's lookups compiled to SQL once per process through the ORM's compiler
# (sword/precompiled.py); off, each is a plain QuerySet.
SPEEDUP_PRECOMPILED_LOOKUPS: bool = env.bool("SPEEDUP_PRECOMPILED_LOOKUPS", default=SPEEDUPS)
# The survey's statement fieldsets and radios drawn once per process, the radios by hand, and
# the review page's outline and answered statements (diagnostics/survey_views.py); off, all come
# from their templates on every request.
SPEEDUP_REMEMBERED_SURVEY_HTML: bool = env.bool("SPEEDUP_REMEMBERED_SURVEY_HTML", default=SPEEDUPS)
# `{% fixed_url %}` reverses each address once per process (sword/templatetags/links.py), as
# the survey does its pages' addresses (diagnostics/survey_views.py); off, Django's `{% url %}`
# and `reverse` on every use.
SPEEDUP_FIXED_LINKS: bool = env.bool("SPEEDUP_FIXED_LINKS", default=SPEEDUPS)
# The static storage remembers each file's address (sword/storage.py); off, the stock storage.
SPEEDUP_REMEMBERED_STATIC_URLS: bool = env.bool("SPEEDUP_REMEMBERED_STATIC_URLS", default=SPEEDUPS)
# One Redis client per connection pool (sword/cache.py); off, Django's RedisCache as shipped.
SPEEDUP_SHARED_REDIS_CLIENT: bool = env.bool("SPEEDUP_SHARED_REDIS_CLIENT", default=SPEEDUPS)
# Each string's translation looked up once per process and catalogue, and a translate tag of
# written words drawn once per language (sword/translations.py, replacing methods of Django's
# DjangoTranslation and TranslateNode), and the language chooser drawn once per language and
# address with the CSRF token put in (sword/templatetags/languages.py); off, Django looks up
# and draws them on every use.
SPEEDUP_REMEMBERED_TRANSLATIONS: bool = env.bool(
    "SPEEDUP_REMEMBERED_TRANSLATIONS", default=SPEEDUPS
)
# The organisation's units loaded for results without Model.__init__ (diagnostics/results.py,
# leaning on Django's private ModelState); off, the ORM makes each unit.
SPEEDUP_UNITS_WITHOUT_INIT: bool = env.bool("SPEEDUP_UNITS_WITHOUT_INIT", default=SPEEDUPS)
# Each organisation's units' stored fields kept by the process until the database's version of
# the units table moves on (organisations/remembered_units.py: no private API, but a trigger
# that the migrations add); off, the units are read on every request.
SPEEDUP_REMEMBERED_UNITS: bool = env.bool("SPEEDUP_REMEMBERED_UNITS", default=SPEEDUPS)
# A chart's figure made as the plain dicts Plotly would give back, with its default template
# added (dashboards/charts.py), not copied and walked through Plotly's figure object; off,
# through Plotly's figure. Leans on what Plotly's figure adds to an unvalidated figure.
SPEEDUP_PLAIN_FIGURES: bool = env.bool("SPEEDUP_PLAIN_FIGURES", default=SPEEDUPS)
# Python's garbage collector in a server process, once the application has loaded
# (sword/collector.py): allocations before a young pass, then young passes before a middle one,
# and middle passes before a full one. Python's default is 700,10,10.
GC_THRESHOLDS: tuple[int, ...] = tuple(
    env.list("GC_THRESHOLDS", cast=int, default=[10_000, 10, 100])
)
if len(GC_THRESHOLDS) != 3 or min(GC_THRESHOLDS) < 1:
    raise ImproperlyConfigured(
        "GC_THRESHOLDS is three whole numbers of 1 or more, such as 10000,10,100 "
        f"(Python's default is 700,10,10); got {GC_THRESHOLDS}."
    )
# The precompiled lookups are also prepared once per PostgreSQL connection. Turn off behind a
# pooler that shares sessions between clients (PgBouncer in transaction mode).
PREPARED_STATEMENTS: bool = env.bool("DB_PREPARED_STATEMENTS", default=True)
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

CACHES = {"default": env.cache_url("CACHE_URL", default="locmemcache://sword")}
# A process's own cache (no CACHE_URL) holds this many entries unless the URL says otherwise
# (`locmemcache://sword?MAX_ENTRIES=...`). Django's default, 300, is fewer than the settled
# sums one team manager's trends page keeps: culling them dropped the settled plans' generation
# too (diagnostics/settled_plans.py), so every plan was worked out again on every request
# (480 ms rather than 60 at 300 teams).
LOCMEM_CACHE_ENTRIES = 20_000
if CACHES["default"]["BACKEND"] == "django.core.cache.backends.locmem.LocMemCache":
    CACHES["default"].setdefault("OPTIONS", {}).setdefault("MAX_ENTRIES", LOCMEM_CACHE_ENTRIES)
if (
    CACHES["default"]["BACKEND"] == "django.core.cache.backends.redis.RedisCache"
    and SPEEDUP_SHARED_REDIS_CLIENT
):
    CACHES["default"]["BACKEND"] = "sword.cache.SharedClientRedisCache"

AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    # Refuses passwords for members of an organisation that requires its own sign-in.
    "organisations.sign_on.RequiredSignOnGate",
    "django.contrib.auth.backends.ModelBackend",
    # OpenID Connect sign-in per organisation (mozilla-django-oidc, configured per request).
    "organisations.sign_on.OrganisationSignOnBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 10},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "accounts:login"
PASSWORD_RESET_TIMEOUT = 60 * 60 * 24 * 3  # invitations and resets stay valid for three days

# Staff sessions end a working day after the session was last saved, which in practice is
# signing in (ordinary page views do not save it), or when the browser closes if sooner.
SESSION_ENGINE = "django.contrib.sessions.backends.db"
SESSION_COOKIE_AGE = env.int("SESSION_COOKIE_AGE", default=60 * 60 * 9)
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_SAVE_EVERY_REQUEST = False

# django-axes: lock a username from an address after repeated failed sign-ins.
AXES_FAILURE_LIMIT = env.int("AXES_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = timedelta(minutes=env.int("AXES_COOLOFF_MINUTES", default=15))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_LOCKOUT_TEMPLATE = "accounts/locked_out.html"
AXES_RESET_ON_SUCCESS = True
AXES_USERNAME_FORM_FIELD = "username"
# Counted per account, however the address is spelt (the sign-in matches any case).
AXES_USERNAME_CALLABLE = "accounts.limits.axes_username"
# The same client address (or IPv6 /64) as the rate limits (PROXY_COUNT below), not the proxy's.
AXES_CLIENT_IP_CALLABLE = "sword.middleware.client_network"
AXES_VERBOSE = False

# OpenID Connect sign-in (organisations.sign_on). Each organisation's issuer, client id and
# secret are set in the admin; these are the fixed parts. Stored client secrets are encrypted
# with a key derived from SSO_SECRETS_KEY (unset: only environment-variable secrets work).
SSO_SECRETS_KEY: str = env.str("SSO_SECRETS_KEY", default="")
OIDC_RP_SCOPES = "openid email"
OIDC_RP_SIGN_ALGO = "RS256"
OIDC_USE_NONCE = True
OIDC_USE_PKCE = True
OIDC_CREATE_USER = False
OIDC_TIMEOUT = env.int("OIDC_TIMEOUT", default=10)
# An unfinished sign-in (state, nonce, PKCE verifier in the session) expires after this long.
SSO_FLOW_SECONDS = 600

LANGUAGE_CODE = "en-gb"
# Every staff-facing page and the survey are in English and Welsh (locale/cy/LC_MESSAGES); each
# language is named in itself in the chooser. English is British English, so dates read
# "2 December 2026" and numbers "1,000"; Welsh dates read "2 Rhagfyr 2026".
LANGUAGES = [("en-gb", "English"), ("cy", "Cymraeg")]
LOCALE_PATHS = [BASE_DIR / "locale"]
# The chooser's choice is kept in this cookie only (never in the survey session or with any
# answer); it lasts a year.
LANGUAGE_COOKIE_NAME = "sword_language"
LANGUAGE_COOKIE_AGE = 60 * 60 * 24 * 365
LANGUAGE_COOKIE_SAMESITE = "Lax"
LANGUAGE_COOKIE_HTTPONLY = True
TIME_ZONE = env.str("TIME_ZONE", default="Europe/London")
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
# Hashed, compressed file names in production (run collectstatic); plain names in development
# and tests, which serve straight from static/.
STATIC_MANIFEST: bool = env.bool("STATIC_MANIFEST", default=not DEBUG)
# Files the site writes (results exports prepared in the background, under exports/). Never
# serve this folder: the files are handed out only through the download view, which checks who
# asks. With workers on several machines, point STORAGES["default"] at storage they all share
# (a shared mount as MEDIA_ROOT, or an object store's Django storage backend).
MEDIA_ROOT: str = env.str("MEDIA_ROOT", default=str(BASE_DIR / "media"))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        # By (hashed names, remembered addresses).
        "BACKEND": {
            (True, True): "sword.storage.RememberedUrlsManifestStorage",
            (True, False): "whitenoise.storage.CompressedManifestStaticFilesStorage",
            (False, True): "sword.storage.RememberedUrlsStaticFilesStorage",
            (False, False): "django.contrib.staticfiles.storage.StaticFilesStorage",
        }[STATIC_MANIFEST, SPEEDUP_REMEMBERED_STATIC_URLS]
    },
}
WHITENOISE_USE_FINDERS = not STATIC_MANIFEST
# Source maps are read only by browsers' developer tools: not worth compressing.
WHITENOISE_SKIP_COMPRESS_EXTENSIONS = [*Compressor.SKIP_COMPRESS_EXTENSIONS, "map"]

# Plotly checks every figure property as it is built; on in development and tests (where each
# chart is built), off in production, where it would repeat the same checks on every request.
PLOTLY_VALIDATE: bool = env.bool("PLOTLY_VALIDATE", default=DEBUG)

CRISPY_ALLOWED_TEMPLATE_PACKS = "bootstrap5"
CRISPY_TEMPLATE_PACK = "bootstrap5"

EMAIL_BACKEND: str = env.str(
    "EMAIL_BACKEND",
    default=(
        "django.core.mail.backends.console.EmailBackend"
        if DEBUG
        else "django.core.mail.backends.smtp.EmailBackend"
    ),
)
EMAIL_HOST: str = env.str("EMAIL_HOST", default="localhost")
EMAIL_PORT: int = env.int("EMAIL_PORT", default=25)
EMAIL_HOST_USER: str = env.str("EMAIL_HOST_USER", default="")
EMAIL_HOST_PASSWORD: str = env.str("EMAIL_HOST_PASSWORD", default="")
EMAIL_USE_TLS: bool = env.bool("EMAIL_USE_TLS", default=False)
DEFAULT_FROM_EMAIL: str = env.str("DEFAULT_FROM_EMAIL", default="SWORD <no-reply@localhost>")

# Background jobs (Celery). With CELERY_BROKER_URL set (for example redis://127.0.0.1:6379/1, a
# database apart from CACHE_URL's) tasks go to the queue and a worker runs them; without it they
# run in process, inside the request that asks for them, so the embedded default needs nothing.
CELERY_BROKER_URL: str = env.str("CELERY_BROKER_URL", default="")
CELERY_TASK_ALWAYS_EAGER: bool = not CELERY_BROKER_URL
CELERY_TASK_EAGER_PROPAGATES: bool = False
CELERY_TIMEZONE = "Europe/London"
CELERY_ENABLE_UTC = True
CELERY_TASK_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
# No result backend: tasks record what they did in the database (for example InviteBatch).
CELERY_TASK_IGNORE_RESULT = True
# A job is acknowledged once it has run, so a worker stopped mid-job (a deploy) leaves it queued
# for the next worker; every task is idempotent, so running one twice does no harm.
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": 3600}

# Invitation e-mails the mail server refuses are tried again after this many seconds, then twice
# that, and so on, five times, before they count as failed.
INVITE_RETRY_SECONDS: float = env.float("INVITE_RETRY_SECONDS", default=30.0)

# The jobs that run by the clock, started by `celery -A sword beat` (README, "Background jobs");
# without a broker, `manage.py run_scheduled_jobs` runs the same entry points (from cron, say).
# Times are Europe/London (CELERY_TIMEZONE). Every entry is idempotent: running it twice, or
# late, sends nothing twice.
CELERY_BEAT_SCHEDULE: dict[str, dict[str, object]] = {
    # Cycles a manager scheduled open on their opening date; open cycles whose closing day has
    # ended close. Just after midnight, so a cycle is open through the whole of its last day.
    # Then survey drafts nobody can submit any more are deleted.
    "cycles-open-and-close": {
        "task": "diagnostics.open_and_close_cycles",
        "schedule": crontab(hour=0, minute=5),
    },
    # Reminders before a cycle closes, for organisations that turn them on: in the morning.
    "cycle-reminders": {
        "task": "diagnostics.send_cycle_reminders",
        "schedule": crontab(hour=9, minute=0),
    },
    # Owners of open actions due within a week or overdue; the people who run the unit an
    # action was escalated to (actions/services.py, send_action_notices).
    "action-notices": {
        "task": "actions.send_action_notices",
        "schedule": crontab(hour=7, minute=0),
    },
    # The people who run the unit a staff issue was escalated to (voice/services.py).
    "voice-escalation-notices": {
        "task": "voice.send_escalation_notices",
        "schedule": crontab(hour=7, minute=5),
    },
    # Leaders' and org admins' weekly digest, Monday mornings (dashboards/digest.py).
    "weekly-digest": {
        "task": "dashboards.send_weekly_digests",
        "schedule": crontab(hour=7, minute=30, day_of_week="mon"),
    },
    # Once a cycle has settled (closed five minutes ago), the pages an org admin opens first
    # are built, so their disclosure plans wait in the shared cache (dashboards/warming.py).
    "warm-settled-results": {
        "task": "dashboards.warm_settled_results",
        "schedule": crontab(minute="*/10"),
    },
    # Deletes the files of results exports past their link's expiry and marks them expired.
    "purge-expired-exports": {
        "task": "diagnostics.purge_expired_exports",
        "schedule": crontab(minute=17),
    },
    # The benchmark of each half-year, computed once a month after it ends, then kept (a
    # nightly check finds the periods due; benchmarks/services.py).
    "nightly-benchmark": {
        "task": "benchmarks.compute_benchmarks",
        "schedule": crontab(hour=2, minute=30),
    },
}

# Results exports: a download link for a file prepared in the background works for this many
# hours after the file is ready. Exports of more teams than EXPORT_INSTANT_MAX_TEAMS (of the
# cycle, in the person's reach) are always prepared in the background; smaller ones download
# at once, or in the background if the person asks.
EXPORT_LINK_HOURS: int = env.int("EXPORT_LINK_HOURS", default=24)
EXPORT_INSTANT_MAX_TEAMS: int = env.int("EXPORT_INSTANT_MAX_TEAMS", default=100)
if EXPORT_LINK_HOURS < 1 or EXPORT_INSTANT_MAX_TEAMS < 0:
    raise ImproperlyConfigured(
        "EXPORT_LINK_HOURS must be at least 1 and EXPORT_INSTANT_MAX_TEAMS at least 0 "
        "(0 prepares every results export in the background)."
    )

# Rate limits (django-ratelimit, counted in CACHE_URL's cache per client address).
SURVEY_CODE_RATE: str = env.str("SURVEY_CODE_RATE", default="20/m")
# Per address, on top of django-axes' per-account pause: many accounts tried from one place.
SIGN_IN_RATE: str = env.str("SIGN_IN_RATE", default="30/10m")
PASSWORD_RESET_RATE: str = env.str("PASSWORD_RESET_RATE", default="5/h")
# Per person: how often an org admin may send somebody their sign-in link again.
INVITE_AGAIN_RATE: str = env.str("INVITE_AGAIN_RATE", default="3/h")
PROXY_COUNT: int = env.int("PROXY_COUNT", default=0)
# Per address and per board, per hour: high enough for a whole team behind one office address.
VOICE_RAISE_RATE: str = env.str("VOICE_RAISE_RATE", default="20/h")
VOICE_SUPPORT_RATE: str = env.str("VOICE_SUPPORT_RATE", default="300/h")
VOICE_RESULTS_RATE: str = env.str("VOICE_RESULTS_RATE", default="120/h")

# The read API for BI tools (api/): requests per token, counted in CACHE_URL's cache like the
# rate limits above ("600/h", "100/10m"); how many rows a page holds unless the caller asks for
# another size (at most API_MAX_PAGE_SIZE); and the longest a token may be given to live.
API_RATE: str = env.str("API_RATE", default="600/h")
if not re.fullmatch(r"[1-9][0-9]*/[0-9]*[smhd]", API_RATE):
    raise ImproperlyConfigured(
        f"API_RATE must read like 600/h or 100/10m (requests per period), not {API_RATE!r}."
    )
API_PAGE_SIZE: int = env.int("API_PAGE_SIZE", default=1000)
API_MAX_PAGE_SIZE: int = env.int("API_MAX_PAGE_SIZE", default=5000)
API_TOKEN_MAX_DAYS: int = env.int("API_TOKEN_MAX_DAYS", default=365)

REST_FRAMEWORK = {
    # Tokens only: no session, so no page's cookie can call the API and no CSRF is involved.
    "DEFAULT_AUTHENTICATION_CLASSES": ["api.authentication.BearerTokenAuthentication"],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_THROTTLE_CLASSES": ["api.throttles.TokenRateThrottle"],
    # JSON only: no browsable API (its pages would need inline scripts and a session).
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": ["rest_framework.parsers.JSONParser"],
    "DEFAULT_PAGINATION_CLASS": "api.pagination.RowsPagination",
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "UNAUTHENTICATED_USER": None,
}
API_DESCRIPTION = """Read-only access for BI tools and scripts: units, cycles, result rows (the same
rows as the results export, under the same anonymity rules) and actions.

**Token.** An organisation admin makes one under Organisation › API tokens. Send it with every
request as `Authorization: Bearer <token>`. It reads what the person who made it can read *at
the time of each request*; anything outside that is a 404, as on the pages. A revoked or expired
token, or one whose maker's account is switched off, gets a 401.

**Pages.** Every list answers `{"count", "next", "previous", "results"}`: follow `next` until it
is `null`. Ask for up to %(max)s rows a page with `?page_size=` (%(size)s by default).

**Limits.** Each token's requests are limited to `%(rate)s` (requests per period); past that the
answer is 429 with `Retry-After`. Every request is in the organisation's audit log.

**Example.**

    export SWORD_TOKEN=sword_...
    curl -H "Authorization: Bearer $SWORD_TOKEN" "https://<this site>/api/v1/cycles/"
    curl -H "Authorization: Bearer $SWORD_TOKEN" \\
        "https://<this site>/api/v1/cycles/42/results/?level=team"

**Power BI** (Get data › Blank query › Advanced editor), with the token in a parameter
`SwordToken`; set the data source's privacy level to Organisational and its credentials to
Anonymous (the token travels in the header):

    let
        Base = "https://<this site>/api/v1/cycles/42/results/",
        GetPage = (page as number) => Json.Document(Web.Contents(Base,
            [Query = [page = Number.ToText(page), page_size = "%(max)s"],
             Headers = [Authorization = "Bearer " & SwordToken]])),
        Pages = List.Generate(() => [n = 1, body = GetPage(1)], each [body] <> null,
            each [n = [n] + 1, body = if [body][next] = null then null else GetPage([n] + 1)],
            each [body][results]),
        Rows = Table.FromRecords(List.Combine(Pages))
    in
        Rows
"""
for placeholder, value in {
    "%(max)s": API_MAX_PAGE_SIZE,
    "%(size)s": API_PAGE_SIZE,
    "%(rate)s": API_RATE,
}.items():
    API_DESCRIPTION = API_DESCRIPTION.replace(placeholder, str(value))

SPECTACULAR_SETTINGS = {
    "TITLE": "SWORD read API",
    "DESCRIPTION": API_DESCRIPTION,
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    "SERVE_PUBLIC": True,
    "SERVE_AUTHENTICATION": [],
    "SERVE_PERMISSIONS": ["rest_framework.permissions.AllowAny"],
    # Swagger UI from our own static files (drf-spectacular-sidecar), never a CDN, with no
    # call to the public validator.
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "SWAGGER_UI_SETTINGS": {"validatorUrl": None, "deepLinking": True},
    "SCHEMA_PATH_PREFIX": "/api/v1",
    "COMPONENT_SPLIT_REQUEST": True,
    # The results rows' "urgent" and "suppressed" share one set of values: one name for it.
    "ENUM_NAME_OVERRIDES": {"YesNoEnum": "api.serializers.YES_NO"},
}

# Requests larger than this are refused with a clear page (survey forms are a few kilobytes).
DATA_UPLOAD_MAX_MEMORY_SIZE = env.int("DATA_UPLOAD_MAX_MEMORY_SIZE", default=2 * 1024 * 1024)
FILE_UPLOAD_MAX_MEMORY_SIZE = DATA_UPLOAD_MAX_MEMORY_SIZE
DATA_UPLOAD_MAX_NUMBER_FIELDS = 400
# Any request body, files included, above this is refused before it is read (the largest upload,
# a structural-figures CSV, may be 1 MB). Set the proxy's body limit to the same figure.
MAX_REQUEST_BYTES: int = env.int("MAX_REQUEST_BYTES", default=3 * 1024 * 1024)

# Security headers. HTTPS settings are on whenever DEBUG is off; a TLS-terminating proxy must
# set X-Forwarded-Proto (see the README).
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = True
if not DEBUG:
    SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=True)
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=60 * 60 * 24 * 365)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = env.bool("SECURE_HSTS_PRELOAD", default=True)
    SESSION_COOKIE_SECURE = env.bool("SECURE_COOKIES", default=True)
    CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
    LANGUAGE_COOKIE_SECURE = SESSION_COOKIE_SECURE
PERMISSIONS_POLICY = (
    "accelerometer=(), camera=(), geolocation=(), gyroscope=(), magnetometer=(), "
    "microphone=(), payment=(), usb=()"
)

# Content Security Policy: everything from our own origin, no inline script or eval.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    }
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
    "loggers": {
        # Never log request bodies or query strings of survey pages: they carry invite codes.
        "django.request": {"handlers": ["console"], "level": "ERROR", "propagate": False},
    },
}
