"""The middleware that names the provider in form-action; the whole sign-out journey is in
tests/organisations/test_sign_on.py and, against a real provider, tests/browser/test_sign_on.py."""

from __future__ import annotations

import pytest
from django.contrib.sessions.backends.db import SessionStore
from django.http import HttpResponse
from django.test import RequestFactory

from accounts.provider_sign_out import allow_provider_sign_out, remember_provider_sign_out


def request_with_remembered_provider(*, read_by_the_view: bool):
    session = SessionStore()
    remember_provider_sign_out(
        session=session,
        end_session_endpoint="https://id.example.gov.uk/logout",
        id_token="header.claims.signature",
        client_id="sword",
    )
    session.accessed = False
    request = RequestFactory().get("/")
    request.session = session

    def view(request):
        if read_by_the_view:
            request.session.get("anything")
        return HttpResponse("page")

    return request, view


def test_it_names_the_provider_on_a_page_that_read_the_session():
    request, view = request_with_remembered_provider(read_by_the_view=True)
    response = allow_provider_sign_out(view)(request)
    assert vars(response)["_csp_update"] == {"form-action": ["https://id.example.gov.uk"]}


def test_it_leaves_a_response_alone_when_the_view_never_read_the_session():
    request, view = request_with_remembered_provider(read_by_the_view=False)
    response = allow_provider_sign_out(view)(request)
    assert not hasattr(response, "_csp_update")
    assert not request.session.accessed


@pytest.mark.parametrize(
    "endpoint",
    [
        "https://id.example.gov.uk/logout; script-src *",
        "https://id.example.gov.uk:99999/logout",
        "https://id.example.gov.uk:0/logout",
        "https://-/logout",
        "https://user@id.example.gov.uk/logout",
        "https://[::1]/logout",
        "javascript:alert(1)",
        "https://id.example.gov.uk/log out",
    ],
)
def test_it_keeps_no_endpoint_whose_origin_could_bend_the_policy(endpoint):
    session = SessionStore()
    assert not remember_provider_sign_out(
        session=session, end_session_endpoint=endpoint, id_token="t", client_id="c"
    )
    assert "provider_sign_out" not in session


def test_it_keeps_a_plain_endpoint_with_its_origin():
    session = SessionStore()
    assert remember_provider_sign_out(
        session=session,
        end_session_endpoint="https://id.example.gov.uk:8443/oidc/logout",
        id_token="t",
        client_id="c",
    )
    assert session["provider_sign_out"]["origin"] == "https://id.example.gov.uk:8443"
