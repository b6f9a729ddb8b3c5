"""What every app's views repeat, in one place: a lookup that is 404 for anything outside the
viewer's reach, a service's refusal shown as a message, and the page that asks before a
destructive action."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TypeVar

from django.contrib import messages
from django.core.exceptions import ObjectDoesNotExist, ValidationError
from django.db.models import Model, QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render

M = TypeVar("M", bound=Model)
T = TypeVar("T")


def get_scoped_or_404(queryset: QuerySet[M], pk: object, *, what: str) -> M:
    """The row with this id in a queryset already scoped to the viewer's reach; 404 for an id
    outside it, an unknown id or one that is not a number, so nothing says which it was."""
    try:
        return queryset.get(pk=int(str(pk)))
    except (ObjectDoesNotExist, TypeError, ValueError) as exc:
        raise Http404(f"No such {what}.") from exc


def error_text(exc: ValidationError) -> str:
    return " ".join(exc.messages)


def run_service(
    request: HttpRequest, work: Callable[[], T], *, done: Callable[[T], str] | str
) -> T | None:
    """Run a service call; its refusal (a ValidationError) becomes an error message and None,
    its result a success message. Nothing is half-done: services run in a transaction."""
    try:
        result = work()
    except ValidationError as exc:
        messages.error(request, error_text(exc))
        return None
    messages.success(request, done(result) if callable(done) else done)
    return result


@dataclass(frozen=True)
class Confirmation:
    """The question asked before a destructive or irreversible action. With no button the
    page only explains why the action cannot be done."""

    title: str
    body: str
    button: str | None
    cancel_url: str
    button_class: str = "btn-danger"
    # Another way to go where the action cannot be done: (its words, its address).
    instead: tuple[str, str] | None = None
    # What goes with it, named one by one under the body.
    listed: tuple[str, ...] = ()


def confirm_page(request: HttpRequest, confirmation: Confirmation) -> HttpResponse:
    return render(request, "includes/confirm.html", {"confirmation": confirmation})
