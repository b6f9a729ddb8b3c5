"""Reads for API tokens."""

from __future__ import annotations

from django.db.models import QuerySet

from api.models import ApiToken
from api.tokens import digest_of
from organisations.models import Organisation


def tokens_of(organisation: Organisation) -> QuerySet[ApiToken]:
    """Every token of the organisation, newest first, with who made and revoked it."""
    return ApiToken.objects.filter(organisation=organisation).select_related(
        "created_by", "revoked_by"
    )


def token_by_raw(raw: str) -> ApiToken | None:
    """The token this string is, found by its hash (one indexed query), or None."""
    return (
        ApiToken.objects.select_related("created_by", "organisation")
        .filter(digest=digest_of(raw))
        .first()
    )
