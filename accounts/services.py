"""Changes people make to their own account."""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction

from accounts.models import User


@transaction.atomic
def set_language_preference(*, user: User, language: str) -> User:
    """Remember the language a signed-in person chose: the site speaks it to them from now on,
    in any browser."""
    if language not in dict(settings.LANGUAGES):
        raise ValidationError(f"“{language}” is not one of the site's languages.")
    if user.language != language:
        user.language = language
        user.save(update_fields=["language"])
    return user
