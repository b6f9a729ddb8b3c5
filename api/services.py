"""Writes for API tokens: make, revoke, note a use, and the audit entries of reads and refusals."""

from __future__ import annotations

import logging
from datetime import date, datetime, timedelta
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext, ngettext

from api.models import ApiToken
from api.tokens import digest_of, new_token, shown_start_of
from organisations.access import reach_of
from organisations.audit import record
from organisations.models import AuditEvent, Organisation

# A token's last use is written at most this often, so a paginated pull costs no extra write
# per page: the list of tokens says when each was last used to the minute.
LAST_USED_PRECISION = timedelta(minutes=1)
# A refusal is logged at most this often for one token and status, so that a script retrying in
# a loop with a revoked token, or past its rate, cannot fill the audit log.
REFUSAL_LOG_INTERVAL = timedelta(minutes=1)
REFUSED_SCOPE = "nothing (the request was refused)"
# The address a refused request asked for is logged up to this length: its query is the caller's.
LOGGED_PATH_LENGTH = 150

logger = logging.getLogger(__name__)


def latest_expiry(today: date) -> date:
    return today + timedelta(days=settings.API_TOKEN_MAX_DAYS)


def check_expiry(expires_on: date, *, today: date) -> None:
    if expires_on < today:
        raise ValidationError(gettext("Choose an expiry date from today onwards."))
    if expires_on > latest_expiry(today):
        raise ValidationError(
            ngettext(
                "A token can live at most %(days)s day: choose %(date)s or earlier, and make a "
                "new token then.",
                "A token can live at most %(days)s days: choose %(date)s or earlier, and make a "
                "new token then.",
                settings.API_TOKEN_MAX_DAYS,
            )
            % {
                "days": settings.API_TOKEN_MAX_DAYS,
                "date": date_format(latest_expiry(today), "j F Y"),
            }
        )


@transaction.atomic
def create_token(
    *, organisation: Organisation, created_by: Any, name: str, expires_on: date, today: date
) -> tuple[ApiToken, str]:
    """A new token and its one-time text. Only the text's hash and its first characters are
    stored: show the text now, it cannot be read again."""
    reach = reach_of(created_by)
    if reach.organisation is None or reach.organisation.pk != organisation.pk:
        raise ValidationError(
            gettext("Only an admin of this organisation can make its API tokens.")
        )
    if not reach.is_org_admin:
        raise ValidationError(gettext("Only organisation admins can make API tokens."))
    name = name.strip()
    if not name:
        raise ValidationError(gettext("Give the token a name that says what uses it."))
    check_expiry(expires_on, today=today)
    # Names are checked with the organisation's row held, so two requests at once take turns.
    Organisation.objects.select_for_update(no_key=True).only("pk").get(pk=organisation.pk)
    in_use = ApiToken.objects.filter(
        organisation=organisation, name__iexact=name, revoked_at__isnull=True, expires_on__gte=today
    )
    if in_use.exists():  # the list could not tell them apart (a reloaded form would make one)
        raise ValidationError(
            gettext(
                "A working token is already called “%(name)s”. Give this one a name of its own, "
                "or revoke that one first."
            )
            % {"name": name}
        )
    raw = new_token()
    token = ApiToken.objects.create(
        organisation=organisation,
        created_by=created_by,
        name=name,
        digest=digest_of(raw),
        shown_start=shown_start_of(raw),
        expires_on=expires_on,
    )
    record(
        organisation=organisation,
        user=created_by,
        action=AuditEvent.Action.API_TOKEN_CREATED,
        scope=organisation.name,
        detail=f"API token “{name}”, expires {expires_on:%-d %B %Y}",
        new={"name": name, "expires_on": expires_on.isoformat()},
    )
    return token, raw


@transaction.atomic
def revoke_token(*, token: ApiToken, actor: Any) -> ApiToken:
    """Stop the token working at once. Revoking twice changes nothing."""
    locked = ApiToken.objects.select_for_update().get(pk=token.pk)
    if locked.revoked_at is not None:
        raise ValidationError(gettext("“%(name)s” was already revoked.") % {"name": locked.name})
    locked.revoked_at = timezone.now()
    locked.revoked_by = actor
    locked.save(update_fields=["revoked_at", "revoked_by"])
    record(
        organisation=locked.organisation_id,
        user=actor,
        action=AuditEvent.Action.API_TOKEN_REVOKED,
        scope=locked.organisation.name,
        detail=f"API token “{locked.name}”, made by {locked.created_by.email}",
        old={"state": "active"},
        new={"state": "revoked"},
    )
    return locked


def note_use(*, token: ApiToken, now: datetime) -> None:
    """Keep the token's last use, writing it at most once a minute."""
    if token.last_used_at is None or now - token.last_used_at >= LAST_USED_PRECISION:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
        token.last_used_at = now


def record_read(*, token: ApiToken, user: Any, scope: str, what: str) -> None:
    """The audit entry of one API request (one INSERT): who, through which token, what."""
    record(
        organisation=token.organisation_id,
        user=user,
        action=AuditEvent.Action.API_READ,
        scope=scope,
        detail=f"{what} (API token “{token.name}”)",
    )


def record_refusal(*, token: ApiToken, status: int, reason: str, method: str, path: str) -> None:
    """The audit entry of a request refused although its token is known: a revoked or expired
    token still in use, a token whose maker was deactivated, an address outside the token's
    reach, bad parameters, the rate passed (any answer of 400 and above). At most one entry a
    minute for each token and status, counted in the cache (shared by every worker when
    `CACHE_URL` is set); requests with no token or an unknown one belong to no organisation,
    and are not logged.

    Written in the request's own autocommit: the request is refused whatever happens here, so a
    failure to write the entry is logged as an error and does not change the answer."""
    key = f"api-refused:{token.pk}:{status}"
    shown_path = path if len(path) <= LOGGED_PATH_LENGTH else path[:LOGGED_PATH_LENGTH] + "…"
    why = reason.rstrip(".")
    try:
        if cache.get(key):
            return
        with transaction.atomic():  # a savepoint, should a caller ever hold a transaction
            record(
                organisation=token.organisation_id,
                user=token.created_by,
                action=AuditEvent.Action.API_REFUSED,
                scope=REFUSED_SCOPE,
                detail=f"API token “{token.name}”: {status}, {why}; {method} {shown_path}",
            )
        # Marked once written, so that an entry that failed holds back none after it.
        cache.set(key, True, timeout=int(REFUSAL_LOG_INTERVAL.total_seconds()))
    except Exception:
        logger.exception("Could not log a refused API request (token %s)", token.pk)
