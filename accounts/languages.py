"""The language the site writes to a person in when they are not in front of it: the e-mails
of the clock and of the background jobs.

Such a message is rendered in the language its recipient chose (`User.language`), whatever
language is active where it is rendered: with no queue configured a job runs inside somebody
else's request, in their language.
"""

from __future__ import annotations

from django.conf import settings
from django.utils import translation

from accounts.models import User


def language_of(user: User) -> str:
    """The person's chosen language, or the site's where they chose none."""
    return user.language if user.language in dict(settings.LANGUAGES) else settings.LANGUAGE_CODE


def in_language_of(user: User) -> translation.override:
    """`with in_language_of(user):` renders what is inside in `language_of(user)`."""
    return translation.override(language_of(user))
