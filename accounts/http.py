"""The request type of views that require sign-in, so `request.user` is our User (django-stubs'
recommended pattern: the decorator guarantees it, the annotation tells mypy)."""

from __future__ import annotations

from django.http import HttpRequest

from accounts.models import User


class AuthenticatedHttpRequest(HttpRequest):
    user: User
