"""The view helpers every app shares: scoped lookups, service refusals and confirmations."""

from __future__ import annotations

import pytest
from django.contrib.messages import get_messages
from django.contrib.messages.storage.fallback import FallbackStorage
from django.contrib.sessions.backends.signed_cookies import SessionStore
from django.core.exceptions import ValidationError
from django.http import Http404
from django.test import RequestFactory

from organisations.models import Unit
from sword.pages import Confirmation, confirm_page, get_scoped_or_404, run_service


def request_with_messages():
    request = RequestFactory().post("/")
    request.session = SessionStore()
    request._messages = FallbackStorage(request)  # type: ignore[attr-defined]
    return request


@pytest.mark.parametrize("bad_id", ["nope", None, "", "1.5", 10**9])
def test_it_gives_404_for_an_id_that_is_unknown_or_not_a_number(world, bad_id):
    with pytest.raises(Http404, match=r"No such unit\."):
        get_scoped_or_404(Unit.objects.all(), bad_id, what="unit")


def test_it_gives_404_for_a_row_outside_the_scoped_queryset(world):
    other = Unit.objects.exclude(organisation=world.organisation).first()
    scoped = Unit.objects.filter(organisation=world.organisation)
    with pytest.raises(Http404):
        get_scoped_or_404(scoped, other.pk, what="unit")
    assert get_scoped_or_404(scoped, str(world.team_a.pk), what="unit") == world.team_a


def test_it_turns_a_service_refusal_into_an_error_message():
    request = request_with_messages()

    def refuse():
        raise ValidationError(["Not now.", "Try later."])

    assert run_service(request, refuse, done="Done.") is None
    assert [(m.level_tag, m.message) for m in get_messages(request)] == [
        ("error", "Not now. Try later.")
    ]


def test_it_reports_success_with_the_service_s_result():
    request = request_with_messages()
    assert run_service(request, lambda: 3, done=lambda n: f"{n} done.") == 3
    assert [m.message for m in get_messages(request)] == ["3 done."]


def test_it_asks_before_acting_and_explains_when_it_cannot(rf):
    request = rf.get("/")
    request.user = None
    asked = confirm_page(
        request,
        Confirmation(
            title="Delete X?", body="Gone for good.", button="Delete", cancel_url="/back/"
        ),
    ).content.decode()
    assert '<button type="submit" class="btn btn-danger">Delete</button>' in asked
    refused = confirm_page(
        request,
        Confirmation(title="Delete X?", body="It has data.", button=None, cancel_url="/back/"),
    ).content.decode()
    assert "<button" not in refused.split("<main")[-1].split("</form>")[0]
    assert "Go back" in refused
